package dev.greeter.greeting;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Bindable;
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
 * Provides each listener's greeting: compiled from {@code greeter.greeting} or the
 * greeting file, by the rules of {@code greeter.mode}, or from a listener's own
 * {@code greeter.listeners.<name>.greeting}, {@code greeting-file}, {@code mode} and
 * {@code line-ending}. Anything wrong with one stops start-up, naming the property.
 *
 * @author tcp-greeter team
 */
@Configuration(proxyBeanMethods = false)
@Profile("!client & !probe")
class GreetingConfiguration {

	static final String GREETING = "greeter.greeting";

	static final String GREETING_FILE = "greeter.greeting-file";

	static final String LISTENERS = "greeter.listeners";

	@Bean
	GreetingCompiler greetingCompiler(GreetingProperties properties) {
		return new GreetingCompiler(properties, new TemplateScope(SingletonSupplier.of(Hostname::local),
				Set.copyOf(properties.allowedEnv()), System::getenv));
	}

	@Bean
	GreetingSources greetingSources(GreetingProperties properties, GreetingCompiler compiler,
			ConfigurableEnvironment environment, ApplicationEventPublisher events) {
		Spec inherited = new Spec(GREETING, rawGreeting(environment, GREETING), GREETING_FILE,
				properties.greetingFile(), "greeter.mode");
		// Compiled now, whether a listener serves it or not: a bad setting stops
		// start-up.
		ServedGreeting topLevel = firstGreeting(inherited, compiler);
		Binder binder = Binder.get(environment);
		return new GreetingSources((name) -> {
			String prefix = LISTENERS + "." + name + ".";
			Overrides overrides = binder.bind(LISTENERS + "." + name, Bindable.of(Overrides.class))
				.orElse(Overrides.NONE);
			BindResult<String> own = rawGreeting(environment, prefix + "greeting");
			Spec spec = (own.isBound() || overrides.greetingFile() != null) ? new Spec(prefix + "greeting", own,
					prefix + "greeting-file", overrides.greetingFile(), prefix + "mode") : inherited;
			GreetingMode mode = (overrides.mode() != null) ? overrides.mode() : properties.mode();
			LineEnding lineEnding = (overrides.lineEnding() != null) ? overrides.lineEnding() : properties.lineEnding();
			String modeProperty = (overrides.mode() != null) ? prefix + "mode" : "greeter.mode";
			GreetingCompiler styled = compiler.styled(mode, lineEnding);
			boolean sameAsTopLevel = spec == inherited && mode == properties.mode()
					&& lineEnding == properties.lineEnding();
			ServedGreeting first = sameAsTopLevel ? topLevel
					: firstGreeting(spec.withModeProperty(modeProperty), styled);
			GreetingSource source = new GreetingSource(name, first, events);
			GreetingFileWatcher.Watched file = (spec.file() != null && mode != GreetingMode.DAYTIME)
					? new GreetingFileWatcher.Watched(spec.file(), styled, source) : null;
			return new GreetingSources.Created(source, file);
		});
	}

	// Always defined, idle without a file: in the container's AOT mode, bean conditions
	// are decided at build time, when no greeting file is set.
	@Bean
	GreetingFileWatcher greetingFileWatcher(GreetingProperties properties, GreetingSources sources) {
		return new GreetingFileWatcher(sources::files, properties.greetingFileCheckInterval());
	}

	private static ServedGreeting firstGreeting(Spec spec, GreetingCompiler compiler) {
		Path file = spec.file();
		BindResult<String> rawGreeting = spec.greeting();
		if (compiler.mode() == GreetingMode.DAYTIME) {
			String daytime = spec.modeProperty() + "=" + GreetingMode.DAYTIME.name().toLowerCase(Locale.ROOT)
					+ " sends the date and time, not a greeting; remove ";
			if (rawGreeting.isBound()) {
				throw invalid(spec.greetingProperty(), rawGreeting.get(),
						daytime + spec.greetingProperty() + " or choose another mode");
			}
			if (file != null) {
				throw invalid(spec.fileProperty(), file, daytime + spec.fileProperty() + " or choose another mode");
			}
			return compiler.daytime();
		}
		if (file != null) {
			if (rawGreeting.isBound()) {
				throw invalid(spec.fileProperty(), file,
						"set " + spec.greetingProperty() + " or " + spec.fileProperty() + ", not both");
			}
			try {
				return compiler.compile(file, GreetingFile.read(file, compiler.maxGreetingSize()));
			}
			catch (InvalidGreetingException ex) {
				throw invalid(spec.fileProperty(), file, ex.getMessage());
			}
		}
		String text = rawGreeting.orElse(GreetingProperties.DEFAULT_GREETING);
		try {
			return compiler.compile(text, text.getBytes(StandardCharsets.UTF_8), spec.greetingProperty());
		}
		catch (InvalidGreetingException ex) {
			throw invalid(spec.greetingProperty(), text, ex.getMessage());
		}
	}

	/**
	 * The greeting exactly as written. Spring resolves {@code ${...}} placeholders in
	 * bound properties, so {@code ${server.port}} would become the actuator's HTTP port
	 * and {@code ${hostname}} whatever a {@code HOSTNAME} variable says, before the
	 * template ever saw them: the template's variables are its own.
	 * @param environment the environment
	 * @param property the greeting's property
	 * @return the greeting, bound without placeholder resolution
	 */
	private static BindResult<String> rawGreeting(ConfigurableEnvironment environment, String property) {
		return new Binder(ConfigurationPropertySources.get(environment)).bind(property, String.class);
	}

	private static InvalidConfigurationPropertyValueException invalid(String property, Object value, String reason) {
		return new InvalidConfigurationPropertyValueException(property, value, reason);
	}

	/**
	 * What a listener may set about its greeting; everything else about it is the
	 * server's.
	 *
	 * @param greetingFile its greeting file
	 * @param mode its mode
	 * @param lineEnding its line ending
	 */
	record Overrides(@Nullable Path greetingFile, @Nullable GreetingMode mode, @Nullable LineEnding lineEnding) {

		static final Overrides NONE = new Overrides(null, null, null);

	}

	/**
	 * Where one listener's greeting comes from, and the properties that say so.
	 */
	private record Spec(String greetingProperty, BindResult<String> greeting, String fileProperty, @Nullable Path file,
			String modeProperty) {

		Spec withModeProperty(String property) {
			return new Spec(this.greetingProperty, this.greeting, this.fileProperty, this.file, property);
		}

	}

}
