package dev.greeter.metrics;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

import dev.greeter.greeting.GreetingSource;
import dev.greeter.greeting.GreetingSources;
import dev.greeter.greeting.ServedGreeting;

/**
 * Describes the greeting served under {@code greeting} in {@code /actuator/info}: its
 * mode, where it came from, its full SHA-256, its variables and largest size.
 *
 * @author tcp-greeter team
 */
final class GreetingInfoContributor implements InfoContributor {

	private final GreetingSources sources;

	GreetingInfoContributor(GreetingSources sources) {
		this.sources = sources;
	}

	@Override
	public void contribute(Info.Builder builder) {
		Map<String, GreetingSource> all = this.sources.all();
		if (all.size() == 1 && all.containsKey("default")) {
			builder.withDetail("greeting", describe(all.get("default").current()));
			return;
		}
		Map<String, Object> greetings = new LinkedHashMap<>();
		all.forEach((listener, source) -> greetings.put(listener, describe(source.current())));
		builder.withDetail("greetings", greetings);
	}

	private static Map<String, Object> describe(ServedGreeting greeting) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("mode", greeting.mode().name().toLowerCase(Locale.ROOT));
		details.put("origin", greeting.origin());
		details.put("sha256", greeting.sha256());
		details.put("variables", greeting.template().variables());
		details.put("maxSize", greeting.template().maxSize());
		return details;
	}

}
