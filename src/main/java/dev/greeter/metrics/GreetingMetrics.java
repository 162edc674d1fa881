package dev.greeter.metrics;

import java.util.List;
import java.util.Locale;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import dev.greeter.greeting.GreetingChangedEvent;
import dev.greeter.greeting.GreetingReloadFailedEvent;
import dev.greeter.greeting.GreetingSource;
import dev.greeter.greeting.ServedGreeting;

/**
 * Meters for one listener's greeting: which one is served ({@code greeter_greeting_info},
 * tagged with its hash, so that a rollout of a new greeting file shows in Prometheus),
 * its size, and how reloads of the greeting file went.
 *
 * @author tcp-greeter team
 */
final class GreetingMetrics {

	private final GreetingSource source;

	private final MultiGauge info;

	private final Counter reloadsApplied;

	private final Counter reloadsFailed;

	GreetingMetrics(MeterRegistry registry, GreetingSource source) {
		this.source = source;
		Tags tags = Tags.of(ListenerMeters.LISTENER, source.listener());
		this.info = MultiGauge.builder("greeter.greeting.info")
			.tags(tags)
			.description("1 for the greeting served, tagged with the first 12 hex digits of its source's SHA-256 "
					+ "and its mode")
			.register(registry);
		Gauge.builder("greeter.greeting.size", source, (greeting) -> greeting.current().template().maxSize())
			.tags(tags)
			.baseUnit("bytes")
			.description("Size on the wire of the greeting served; for a greeting with per-connection variables, "
					+ "the largest it can be")
			.register(registry);
		this.reloadsApplied = reloads(registry, tags, "applied");
		this.reloadsFailed = reloads(registry, tags, "failed");
		show(source.current());
	}

	private static Counter reloads(MeterRegistry registry, Tags tags, String result) {
		return Counter.builder("greeter.greeting.reloads")
			.tags(tags)
			.tag("result", result)
			.description("Changes of the greeting file: applied, or failed and the previous greeting kept")
			.register(registry);
	}

	void greetingChanged(GreetingChangedEvent event) {
		if (event.getSource() == this.source) {
			this.reloadsApplied.increment();
			show(event.greeting());
		}
	}

	void reloadFailed(GreetingReloadFailedEvent event) {
		if (event.getSource() == this.source) {
			this.reloadsFailed.increment();
		}
	}

	private void show(ServedGreeting greeting) {
		// Overwrite: the previous greeting's series disappears, the new one appears.
		this.info.register(List.of(MultiGauge.Row
			.of(Tags.of("sha256", greeting.shortSha256(), "mode", greeting.mode().name().toLowerCase(Locale.ROOT)), 1)),
				true);
	}

}
