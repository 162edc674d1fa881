package dev.greeter.metrics;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

import dev.greeter.greeting.GreetingSource;
import dev.greeter.greeting.ServedGreeting;

/**
 * Describes the greeting served under {@code greeting} in {@code /actuator/info}: its
 * mode, where it came from, its full SHA-256, its variables and largest size.
 *
 * @author tcp-greeter team
 */
final class GreetingInfoContributor implements InfoContributor {

	private final GreetingSource source;

	GreetingInfoContributor(GreetingSource source) {
		this.source = source;
	}

	@Override
	public void contribute(Info.Builder builder) {
		ServedGreeting greeting = this.source.current();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("mode", greeting.mode().name().toLowerCase(Locale.ROOT));
		details.put("origin", greeting.origin());
		details.put("sha256", greeting.sha256());
		details.put("variables", greeting.template().variables());
		details.put("maxSize", greeting.template().maxSize());
		builder.withDetail("greeting", details);
	}

}
