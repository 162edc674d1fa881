package dev.greeter.greeting;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;

import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.function.SingletonSupplier;

/**
 * Provides the greeting served: compiled from {@code greeter.greeting} or the greeting
 * file, by the rules of {@code greeter.mode}. Anything wrong with it stops start-up,
 * naming the property.
 *
 * @author tcp-greeter team
 */
@Configuration(proxyBeanMethods = false)
@Profile("!client")
class GreetingConfiguration {

	static final String GREETING = "greeter.greeting";

	static final String GREETING_FILE = "greeter.greeting-file";

	@Bean
	GreetingCompiler greetingCompiler(GreetingProperties properties) {
		return new GreetingCompiler(properties, new TemplateScope(SingletonSupplier.of(Hostname::local),
				Set.copyOf(properties.allowedEnv()), System::getenv));
	}

	@Bean
	GreetingSource greetingSource(GreetingProperties properties, GreetingCompiler compiler,
			ConfigurableEnvironment environment, ApplicationEventPublisher events) {
		return new GreetingSource(firstGreeting(properties, compiler, rawGreeting(environment)), events);
	}

	// Always defined, idle without a file: in the container's AOT mode, bean conditions
	// are decided at build time, when no greeting file is set.
	@Bean
	GreetingFileWatcher greetingFileWatcher(GreetingProperties properties, GreetingCompiler compiler,
			GreetingSource source) {
		return new GreetingFileWatcher(properties.greetingFile(), properties.greetingFileCheckInterval(),
				properties.maxGreetingSize().toBytes(), compiler, source);
	}

	private static ServedGreeting firstGreeting(GreetingProperties properties, GreetingCompiler compiler,
			BindResult<String> rawGreeting) {
		Path file = properties.greetingFile();
		if (properties.mode() == GreetingMode.DAYTIME) {
			if (rawGreeting.isBound()) {
				throw invalid(GREETING, rawGreeting.get(), "greeter.mode=daytime sends the date and time, not a "
						+ "greeting; remove greeter.greeting or choose another mode");
			}
			if (file != null) {
				throw invalid(GREETING_FILE, file, "greeter.mode=daytime sends the date and time, not a greeting; "
						+ "remove greeter.greeting-file or choose another mode");
			}
			return compiler.daytime();
		}
		if (file != null) {
			if (rawGreeting.isBound()) {
				throw invalid(GREETING_FILE, file, "set greeter.greeting or greeter.greeting-file, not both");
			}
			try {
				return compiler.compile(file, GreetingFile.read(file, properties.maxGreetingSize().toBytes()));
			}
			catch (InvalidGreetingException ex) {
				throw invalid(GREETING_FILE, file, ex.getMessage());
			}
		}
		String text = rawGreeting.orElse(properties.greeting());
		try {
			return compiler.compile(text, text.getBytes(StandardCharsets.UTF_8), GREETING);
		}
		catch (InvalidGreetingException ex) {
			throw invalid(GREETING, text, ex.getMessage());
		}
	}

	/**
	 * The greeting exactly as written. Spring resolves {@code ${...}} placeholders in
	 * bound properties, so {@code ${server.port}} would become the actuator's HTTP port
	 * and {@code ${hostname}} whatever a {@code HOSTNAME} variable says, before the
	 * template ever saw them: the template's variables are its own.
	 * @param environment the environment
	 * @return the greeting, bound without placeholder resolution
	 */
	private static BindResult<String> rawGreeting(ConfigurableEnvironment environment) {
		return new Binder(ConfigurationPropertySources.get(environment)).bind(GREETING, String.class);
	}

	private static InvalidConfigurationPropertyValueException invalid(String property, Object value, String reason) {
		return new InvalidConfigurationPropertyValueException(property, value, reason);
	}

}
