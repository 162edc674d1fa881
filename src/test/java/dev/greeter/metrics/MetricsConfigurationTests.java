package dev.greeter.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

import dev.greeter.greeting.GreetingProperties;
import dev.greeter.server.ListenerProperties;
import dev.greeter.server.ServerSettings;

import static dev.greeter.Meters.count;
import static dev.greeter.Meters.gauge;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link MetricsConfiguration} makes of the listeners, as Spring Boot's own
 * {@code *AutoConfigurationTests} check theirs, with an {@link ApplicationContextRunner}
 * and a plain meter registry rather than the actuator: one health part per listener, and
 * every listener's meters registered at start-up with its name as the tag, zeros before
 * the first connection. The listeners bind real sockets on 127.0.0.1, port 0.
 */
class MetricsConfigurationTests {

	// Package-private in their own packages, as every configuration class here.
	private static final Class<?>[] SERVER = {
			ClassUtils.resolveClassName("dev.greeter.greeting.GreetingConfiguration", null),
			ClassUtils.resolveClassName("dev.greeter.server.GreetingServerConfiguration", null) };

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class,
				TaskExecutionAutoConfiguration.class, IntegrationAutoConfiguration.class))
		.withUserConfiguration(Settings.class)
		.withUserConfiguration(SERVER)
		.withUserConfiguration(MetricsConfiguration.class)
		.withPropertyValues("greeter.server.address=127.0.0.1", "greeter.listeners.plain.port=0",
				"greeter.listeners.syslog.protocol=udp", "greeter.listeners.syslog.port=0");

	@Test
	void eachListenerHasItsOwnHealthPartUpWhileItListens() {
		this.contextRunner.run((context) -> {
			CompositeHealthContributor greetingServer = context.getBean("greetingServer",
					CompositeHealthContributor.class);
			assertThat(greetingServer.stream().map((entry) -> entry.name())).containsExactly("plain", "syslog");
			for (String listener : new String[] { "plain", "syslog" }) {
				HealthIndicator part = (HealthIndicator) greetingServer.getContributor(listener);
				assertThat(part.health().getStatus()).as(listener).isEqualTo(Status.UP);
			}
		});
	}

	@Test
	void everyListenersMetersAreThereAtStartupTaggedWithItsName() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(count(registry, "greeter.connections.opened", "listener", "plain")).isZero();
			assertThat(count(registry, "greeter.datagrams.received", "listener", "syslog")).isZero();
			assertThat(registry.find("greeter.connections.opened").tag("listener", "syslog").counter())
				.as("no connection series for a UDP listener")
				.isNull();
			assertThat(registry.get("greeter.server.listening").tag("listener", "syslog").gauge().value()).isEqualTo(1);
			assertThat(gauge(registry, "greeter.connections.active")).isZero();
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties({ ServerSettings.class, ListenerProperties.class, GreetingProperties.class })
	static class Settings {

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

}
