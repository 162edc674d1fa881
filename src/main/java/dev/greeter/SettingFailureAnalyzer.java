package dev.greeter;

import java.lang.annotation.Annotation;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.hibernate.validator.constraints.Range;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.util.unit.DataSize;

/**
 * Explains a setting whose value does not convert in the words of the setting, not of
 * Java: "must be a whole number between 0 and 65535", instead of Boot's "failed to
 * convert java.lang.String to @...DefaultValue @org.hibernate.validator...Range int".
 * Values that convert but break a constraint keep Boot's own report, which already says
 * so plainly.
 *
 * @author tcp-greeter team
 */
class SettingFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
		ConversionFailedException conversion = findCause(cause, ConversionFailedException.class);
		ConfigurationProperty property = cause.getProperty();
		if (conversion == null || property == null) {
			return null;
		}
		Class<?> type = cause.getTarget().getType().resolve(Object.class);
		String allowed = allowed(type, cause.getTarget().getAnnotations());
		PatternSyntaxException regex = findCause(cause, PatternSyntaxException.class);
		if (regex != null) {
			allowed += " (" + regex.getDescription() + " near index " + regex.getIndex() + ")";
		}
		String description = String.format("%s is '%s'%s, but it must be %s.", property.getName(), property.getValue(),
				origin(property.getOrigin()), allowed);
		String action = String.format("Set %s (environment variable %s) to %s, or leave it out for its default.",
				property.getName(), environmentVariable(property.getName().toString()), allowed);
		return new FailureAnalysis(description, action, cause);
	}

	static String allowed(Class<?> type, Annotation[] annotations) {
		if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
			return "a whole number" + range(annotations);
		}
		if (type == boolean.class || type == Boolean.class) {
			return "true or false";
		}
		if (type == Duration.class) {
			return "a duration such as 500ms, 10s or 2m";
		}
		if (type == DataSize.class) {
			return "a size such as 512B, 64KB or 16MB";
		}
		if (type.isEnum()) {
			return "one of " + Arrays.stream(type.getEnumConstants())
				.map((constant) -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
				.collect(Collectors.joining(", "));
		}
		if (type == Pattern.class) {
			return "a valid regular expression";
		}
		if (InetAddress.class.isAssignableFrom(type)) {
			return "an IP address such as 127.0.0.1 or ::1, or a host name that resolves";
		}
		return "a value of type " + type.getSimpleName();
	}

	private static String range(Annotation[] annotations) {
		Long min = null;
		Long max = null;
		for (Annotation annotation : annotations) {
			if (annotation instanceof Range range) {
				min = range.min();
				max = range.max();
			}
			else if (annotation instanceof Min least) {
				min = least.value();
			}
			else if (annotation instanceof Max most) {
				max = most.value();
			}
		}
		if (min != null && max != null) {
			return " between " + min + " and " + max;
		}
		if (min != null) {
			return " of at least " + min;
		}
		return (max != null) ? " of at most " + max : "";
	}

	private static String origin(@Nullable Origin origin) {
		return (origin != null) ? " (from " + origin + ")" : "";
	}

	private static String environmentVariable(String property) {
		// As the README's tables write them; Spring Boot binds
		// GREETER_SERVER_MAXCONNECTIONS too.
		return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
	}

}
