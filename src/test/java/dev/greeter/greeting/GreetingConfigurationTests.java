package dev.greeter.greeting;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link GreetingConfiguration} makes of the settings, without a server: the
 * greeting each listener would serve, which listener reads which file, and the settings
 * that stop start-up. As Spring Boot's own {@code *AutoConfigurationTests}, with an
 * {@link ApplicationContextRunner}.
 */
class GreetingConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Settings.class, GreetingConfiguration.class);

	@TempDir
	Path directory;

	@Test
	void withNoSettingsTheDefaultListenerServesTheDefaultGreeting() {
		this.contextRunner.run((context) -> {
			GreetingSource source = context.getBean(GreetingSources.class).forListener("default");
			assertThat(source.current().template().constantBytes()).asString()
				.isEqualTo(GreetingProperties.DEFAULT_GREETING + "\r\n");
			assertThat(source.current().origin()).isEqualTo("greeter.greeting");
			assertThat(context.getBean(GreetingSources.class).files()).isEmpty();
		});
	}

	@Test
	void aListenerInheritsTheTopLevelGreetingAndKeepsItsOwnMode() {
		this.contextRunner
			.withPropertyValues("greeter.greeting=Knowledge is power.", "greeter.listeners.qotd.mode=qotd",
					"greeter.listeners.plain.port=0")
			.run((context) -> {
				GreetingSources sources = context.getBean(GreetingSources.class);
				assertThat(sources.forListener("plain").current().template().constantBytes()).asString()
					.isEqualTo("Knowledge is power.\r\n");
				assertThat(sources.forListener("qotd").current().mode()).isEqualTo(GreetingMode.QOTD);
				assertThat(sources.forListener("plain").current().mode()).isEqualTo(GreetingMode.GREETING);
			});
	}

	@Test
	void aListenerWithItsOwnFileIsTheOneThatWatchesIt() throws Exception {
		Path file = Files.writeString(this.directory.resolve("motd.txt"), "from the file\n");
		this.contextRunner.withPropertyValues("greeter.listeners.motd.greeting-file=" + file).run((context) -> {
			GreetingSources sources = context.getBean(GreetingSources.class);
			assertThat(sources.forListener("motd").current().template().constantBytes()).asString()
				.isEqualTo("from the file\r\n");
			assertThat(sources.forListener("default").current().origin()).isEqualTo("greeter.greeting");
			assertThat(sources.files()).hasSize(1);
		});
	}

	@Test
	void aGreetingAndAGreetingFileTogetherStopStartupNamingBoth() throws Exception {
		Path file = Files.writeString(this.directory.resolve("greeting.txt"), "file");
		this.contextRunner.withPropertyValues("greeter.greeting=text", "greeter.greeting-file=" + file)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("greeter.greeting")
				.hasMessageContaining("greeter.greeting-file"));
	}

	@Test
	void theClientProfileHasNoGreetingToServe() {
		this.contextRunner.withPropertyValues("spring.profiles.active=client")
			.run((context) -> assertThat(context).doesNotHaveBean(GreetingSources.class)
				.doesNotHaveBean(GreetingFileWatcher.class));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(GreetingProperties.class)
	static class Settings {

	}

}
