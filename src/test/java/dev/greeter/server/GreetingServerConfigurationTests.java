package dev.greeter.server;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.util.ClassUtils;

import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What {@link GreetingServerConfiguration} makes of the settings, as Spring Boot's own
 * {@code *AutoConfigurationTests} check theirs, with an {@link ApplicationContextRunner}
 * rather than a whole application: one listener per name, in name order, TCP and UDP;
 * nothing in the client profile; and the settings that stop start-up before any port is
 * bound. The contexts that start bind real sockets on 127.0.0.1, port 0.
 */
class GreetingServerConfigurationTests {

	// Package-private in its own package, as every configuration class here.
	private static final Class<?> GREETINGS = ClassUtils.resolveClassName("dev.greeter.greeting.GreetingConfiguration",
			null);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class,
				TaskExecutionAutoConfiguration.class, IntegrationAutoConfiguration.class))
		.withUserConfiguration(Server.class, GREETINGS)
		.withPropertyValues("greeter.server.address=127.0.0.1", "greeter.server.port=0");

	@Test
	void withNoListenersThereIsOneTcpListenerNamedDefault() {
		this.contextRunner.run((context) -> {
			Listeners listeners = context.getBean(Listeners.class);
			assertThat(listeners.all()).extracting(ServerListener::name, ServerListener::protocol)
				.containsExactly(tuple("default", "tcp"));
			assertThat(listeners.all().get(0).isListening()).isTrue();
			assertThat(context.getEnvironment().getProperty(Listeners.portProperty("default"), Integer.class))
				.isPositive();
		});
	}

	@Test
	void listenersAreTakenInNameOrderTcpFirst() {
		this.contextRunner
			.withPropertyValues("greeter.listeners.zulu.port=0", "greeter.listeners.alpha.protocol=udp",
					"greeter.listeners.alpha.port=0", "greeter.listeners.mike.port=0")
			.run((context) -> assertThat(context.getBean(Listeners.class).all()).extracting(ServerListener::name)
				.containsExactly("mike", "zulu", "alpha"));
	}

	@Test
	void twoListenersOnOnePortStopStartupNamingTheSecond() {
		this.contextRunner.withPropertyValues("greeter.listeners.a.port=9999", "greeter.listeners.b.port=9999")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("greeter.listeners.b.port"));
	}

	@Test
	void aTcpOnlySettingOnAUdpListenerStopsStartupNamingIt() {
		this.contextRunner
			.withPropertyValues("greeter.listeners.syslog.protocol=udp", "greeter.listeners.syslog.linger=5s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("greeter.listeners.syslog.linger"));
	}

	@Test
	void theClientProfileHasNoServer() {
		this.contextRunner.withPropertyValues("spring.profiles.active=client")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(Listeners.class)
				.doesNotHaveBean(GracefulDrain.class));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties({ ServerSettings.class, ListenerProperties.class, GreetingProperties.class })
	@Import(GreetingServerConfiguration.class)
	static class Server {

	}

}
