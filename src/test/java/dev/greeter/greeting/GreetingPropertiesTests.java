package dev.greeter.greeting;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Binding and validation of {@code greeter.greeting}, {@code greeter.line-ending} and
 * {@code greeter.max-greeting-size}.
 */
class GreetingPropertiesTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Settings.class, GreetingConfiguration.class);

	@Test
	void defaultsAreTheLabGreetingWithCrlf() {
		this.contextRunner.run((context) -> {
			GreetingProperties properties = context.getBean(GreetingProperties.class);
			assertThat(properties.greeting()).isEqualTo("Hello World! This is Bhushan");
			assertThat(properties.lineEnding()).isEqualTo(LineEnding.CRLF);
			assertThat(properties.maxGreetingSize()).isEqualTo(DataSize.ofKilobytes(64));
			assertThat(served(context).template().constantBytes()).asString()
				.isEqualTo("Hello World! This is Bhushan\r\n");
		});
	}

	@Test
	void lineEndingIsCaseInsensitive() {
		this.contextRunner.withPropertyValues("greeter.line-ending=LF")
			.run((context) -> assertThat(context.getBean(GreetingProperties.class).lineEnding())
				.isEqualTo(LineEnding.LF));
	}

	@Test
	void emptyGreetingStopsStartup() {
		this.contextRunner.withPropertyValues("greeter.greeting=").run((context) -> {
			assertThat(context).getFailure().rootCause().isInstanceOf(BindValidationException.class);
			assertThat(fieldErrors(context.getStartupFailure())).contains("greeting: must not be empty");
		});
	}

	@Test
	void unknownLineEndingStopsStartup() {
		this.contextRunner.withPropertyValues("greeter.line-ending=crlf2").run((context) -> {
			assertThat(context).getFailure()
				.cause()
				.isInstanceOf(BindException.class)
				.hasMessageContaining("greeter.line-ending")
				.rootCause()
				.hasMessageContaining("No enum constant");
		});
	}

	@Test
	void greetingOverTheMaximumStopsStartupNamingBothProperties() {
		this.contextRunner.withPropertyValues("greeter.greeting=" + "x".repeat(100), "greeter.max-greeting-size=100B")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("greeter.greeting")
				.hasMessageContaining(
						"the greeting takes 102 bytes on the wire, more than greeter.max-greeting-size (100 bytes)"));
	}

	@Test
	void greetingExactlyAtTheMaximumIsAccepted() {
		this.contextRunner.withPropertyValues("greeter.greeting=" + "x".repeat(98), "greeter.max-greeting-size=100B")
			.run((context) -> assertThat(served(context).template().maxSize()).isEqualTo(100));
	}

	@Test
	void sizeCountsUtf8BytesNotCharacters() {
		this.contextRunner.withPropertyValues("greeter.greeting=é", "greeter.line-ending=none")
			.run((context) -> assertThat(served(context).template().maxSize()).isEqualTo(2));
		this.contextRunner.withPropertyValues("greeter.greeting=👋", "greeter.line-ending=lf")
			.run((context) -> assertThat(served(context).template().maxSize()).isEqualTo(5));
	}

	@Test
	void environmentVariableNamesAreValidated() {
		this.contextRunner.withPropertyValues("greeter.allowed-env=POD_NAME,not a name").run((context) -> {
			assertThat(context).getFailure().rootCause().isInstanceOf(BindValidationException.class);
			assertThat(fieldErrors(context.getStartupFailure()))
				.contains("allowedEnv[1]: must be an environment variable name");
		});
	}

	private static ServedGreeting served(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		return context.getBean(GreetingSources.class).forListener("default").current();
	}

	private static String fieldErrors(Throwable failure) {
		// Binding's own validation failure is the root cause, as the tests assert.
		BindValidationException cause = (BindValidationException) NestedExceptionUtils.getMostSpecificCause(failure);
		StringBuilder errors = new StringBuilder();
		cause.getValidationErrors()
			.getAllErrors()
			.forEach((error) -> errors
				.append((error instanceof org.springframework.validation.FieldError field) ? field.getField() : "")
				.append(": ")
				.append(error.getDefaultMessage())
				.append('\n'));
		return errors.toString();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(GreetingProperties.class)
	static class Settings {

	}

}
