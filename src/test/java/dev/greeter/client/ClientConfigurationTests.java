package dev.greeter.client;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.ip.tcp.connection.TcpNetClientConnectionFactory;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link ClientConfiguration} makes of the settings, without connecting anywhere:
 * nothing outside the {@code client} profile, and inside it a single-use connection
 * factory that never looks up host names and is bounded by the timeout. As Spring Boot's
 * own {@code *AutoConfigurationTests}, with an {@link ApplicationContextRunner}; the
 * client runs only from {@code SpringApplication.run}, so nothing connects here.
 */
class ClientConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class,
				TaskExecutionAutoConfiguration.class, IntegrationAutoConfiguration.class, SslAutoConfiguration.class))
		.withUserConfiguration(Settings.class, ClientConfiguration.class);

	@Test
	void outsideTheClientProfileThereIsNoClient() {
		this.contextRunner.run((context) -> assertThat(context).hasNotFailed()
			.doesNotHaveBean(ClientRunner.class)
			.doesNotHaveBean(TcpNetClientConnectionFactory.class));
	}

	@Test
	void theFactoryIsSingleUseWithoutLookupsAndBoundedByTheTimeout() {
		this.contextRunner
			.withPropertyValues("spring.profiles.active=client", "greeter.client.host=192.0.2.7",
					"greeter.client.port=8017", "greeter.client.timeout=1500ms")
			.run((context) -> {
				TcpNetClientConnectionFactory factory = context.getBean(TcpNetClientConnectionFactory.class);
				assertThat(factory.isSingleUse()).isTrue();
				assertThat(factory.isLookupHost()).isFalse();
				assertThat(factory.getHost()).isEqualTo("192.0.2.7");
				assertThat(factory.getPort()).isEqualTo(8017);
				assertThat(factory.getSoTimeout()).isEqualTo(1500);
				// Whole seconds, rounded up: never a connect timeout of zero (for ever).
				assertThat(connectTimeout(factory)).isEqualTo(Duration.ofSeconds(2));
				assertThat(factory.getDeserializer()).isInstanceOf(ReadToEndDeserializer.class);
				assertThat(context).hasSingleBean(ClientRunner.class);
			});
	}

	@Test
	void aTimeoutBelowASecondStillGetsAOneSecondConnectTimeout() {
		this.contextRunner.withPropertyValues("spring.profiles.active=client", "greeter.client.timeout=200ms")
			.run((context) -> assertThat(connectTimeout(context.getBean(TcpNetClientConnectionFactory.class)))
				.isEqualTo(Duration.ofSeconds(1)));
	}

	@Test
	void anSslBundleThatDoesNotExistStopsStartupNamingIt() {
		this.contextRunner.withPropertyValues("spring.profiles.active=client", "greeter.client.ssl.bundle=missing")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("'missing'"));
	}

	// Protected in the framework, which reads it at connect time.
	private static Duration connectTimeout(TcpNetClientConnectionFactory factory) {
		return ReflectionTestUtils.invokeMethod(factory, "getConnectTimeout");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(ClientProperties.class)
	static class Settings {

	}

}
