package dev.greeter.server;

import java.net.UnknownHostException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Binding and validation of {@code greeter.server.*}: defaults with no settings at all,
 * and a failed start-up that names the property for each bad value.
 */
class ServerSettingsTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Settings.class);

	@Test
	void defaultsNeedNoSettings() {
		this.contextRunner.run((context) -> {
			ServerSettings properties = context.getBean(ServerSettings.class);
			assertThat(properties.port()).isEqualTo(8000);
			assertThat(properties.address()).isNull();
			assertThat(properties.backlog()).isGreaterThanOrEqualTo(128);
			assertThat(properties.linger()).isEqualTo(Duration.ofSeconds(2));
			assertThat(properties.logConnections()).isTrue();
			assertThat(properties.maxConnections()).isEqualTo(2048);
			assertThat(properties.writeTimeout()).isEqualTo(Duration.ofSeconds(10));
		});
	}

	@Test
	void portAboveTheRangeStopsStartupNamingTheProperty() {
		assertFailure("greeter.server.port=70000", "greeter.server.port", "must be between 0 and 65535");
	}

	@Test
	void negativePortStopsStartup() {
		assertFailure("greeter.server.port=-1", "greeter.server.port", "must be between 0 and 65535");
	}

	@Test
	void zeroBacklogStopsStartup() {
		assertFailure("greeter.server.backlog=0", "greeter.server.backlog", "must be between 1 and 65535");
	}

	@Test
	void zeroLingerStopsStartup() {
		assertFailure("greeter.server.linger=0s", "greeter.server.linger", "must be longer than or equal to");
	}

	@Test
	void zeroMaxConnectionsStopsStartup() {
		assertFailure("greeter.server.max-connections=0", "greeter.server.max-connections",
				"must be between 1 and 1000000");
	}

	@Test
	void unknownAddressStopsStartup() {
		assertFailure("greeter.server.address=no-such-host.invalid", "greeter.server.address", "");
	}

	private void assertFailure(String setting, String property, String reason) {
		this.contextRunner.withPropertyValues(setting).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfAny(BindValidationException.class, IllegalArgumentException.class,
						UnknownHostException.class);
			assertThat(causeChainText(context.getStartupFailure())).contains(lastSegment(property)).contains(reason);
		});
	}

	private static String lastSegment(String property) {
		return property.substring(property.lastIndexOf('.') + 1);
	}

	private static String causeChainText(Throwable failure) {
		StringBuilder text = new StringBuilder();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			text.append(cause.getMessage()).append('\n');
		}
		return text.toString();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(ServerSettings.class)
	static class Settings {

	}

}
