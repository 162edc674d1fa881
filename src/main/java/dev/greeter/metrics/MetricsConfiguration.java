package dev.greeter.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.integration.ip.tcp.connection.TcpNetServerConnectionFactory;

import dev.greeter.greeting.GreetingSource;
import dev.greeter.server.MaintenanceFile;

/**
 * Registers the connection meters and the server's health indicator when the greeting
 * server runs (not in the client profile).
 *
 * @author tcp-greeter team
 */
@Configuration(proxyBeanMethods = false)
@Profile("!client")
class MetricsConfiguration {

	@Bean
	ConnectionMetrics connectionMetrics(MeterRegistry registry, TcpNetServerConnectionFactory serverConnectionFactory) {
		return new ConnectionMetrics(registry, serverConnectionFactory);
	}

	@Bean
	GreetingMetrics greetingMetrics(MeterRegistry registry, GreetingSource greetingSource) {
		return new GreetingMetrics(registry, greetingSource);
	}

	@Bean
	GreetingInfoContributor greetingInfoContributor(GreetingSource greetingSource) {
		return new GreetingInfoContributor(greetingSource);
	}

	@Bean
	MaintenanceHealthIndicator maintenanceHealthIndicator(MaintenanceFile maintenanceFile) {
		return new MaintenanceHealthIndicator(maintenanceFile);
	}

	@Bean
	GreetingServerHealthIndicator greetingServerHealthIndicator(TcpNetServerConnectionFactory serverConnectionFactory) {
		return new GreetingServerHealthIndicator(serverConnectionFactory);
	}

}
