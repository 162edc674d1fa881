package dev.greeter.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import dev.greeter.greeting.GreetingSources;
import dev.greeter.server.Listeners;
import dev.greeter.server.MaintenanceFile;
import dev.greeter.server.ServerListener;

/**
 * Registers the listeners' meters, the greetings' meters and the server's health when the
 * greeting server runs (not in the client profile).
 *
 * @author tcp-greeter team
 */
@Configuration(proxyBeanMethods = false)
@Profile("!client & !probe")
class MetricsConfiguration {

	@Bean
	ListenerMeters listenerMeters(MeterRegistry registry, GreetingSources greetingSources) {
		return new ListenerMeters(registry, greetingSources);
	}

	@Bean
	GreetingInfoContributor greetingInfoContributor(GreetingSources greetingSources) {
		return new GreetingInfoContributor(greetingSources);
	}

	@Bean
	MaintenanceHealthIndicator maintenanceHealthIndicator(MaintenanceFile maintenanceFile) {
		return new MaintenanceHealthIndicator(maintenanceFile);
	}

	/**
	 * The {@code greetingServer} health component: one part per listener, by its name.
	 * @param listeners the listeners
	 * @return the component
	 */
	@Bean
	CompositeHealthContributor greetingServer(Listeners listeners) {
		Map<String, HealthContributor> parts = new LinkedHashMap<>();
		for (ServerListener listener : listeners.all()) {
			parts.put(listener.name(), new GreetingServerHealthIndicator(listener));
		}
		return CompositeHealthContributor.fromMap(parts);
	}

}
