package dev.greeter.greeting;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * What the server says ({@code greeter.*}).
 *
 * @param greeting the greeting text, sent as UTF-8; may use {@code ${...}} variables
 * @param greetingFile a file to read the greeting from instead, reloaded when it changes
 * @param greetingFileCheckInterval how often the greeting file is checked for changes
 * @param mode what to send: the greeting, RFC 865 Quote of the Day, or RFC 867 Daytime
 * @param lineEnding what follows the text on the wire (the {@code qotd} and
 * {@code daytime} modes always use CRLF)
 * @param maxGreetingSize the largest greeting accepted, line ending and variables
 * included: a guard against a misconfigured greeting, and the size clients should be
 * ready to read
 * @param allowedEnv the environment variables a greeting may show with
 * {@code ${env.NAME}}: by default the pod, namespace, pod IP and node that the Kubernetes
 * downward API provides. A list, so that a greeting someone can edit cannot show a secret
 * from the environment.
 * @author tcp-greeter team
 */
@ConfigurationProperties("greeter")
@Validated
public record GreetingProperties(@DefaultValue(DEFAULT_GREETING) @NotEmpty String greeting, @Nullable Path greetingFile,
		@DefaultValue("5s") @NotNull @DurationMin(millis = 10) @DurationMax(
				hours = 1) Duration greetingFileCheckInterval,
		@DefaultValue("greeting") @NotNull GreetingMode mode, @DefaultValue("crlf") @NotNull LineEnding lineEnding,
		@DefaultValue("64KB") @NotNull DataSize maxGreetingSize, @DefaultValue( {
				"POD_NAME", "POD_NAMESPACE", "POD_IP",
				"NODE_NAME" }) @NotNull List<@Pattern(regexp = "[A-Za-z_][A-Za-z0-9_]*",
						message = "must be an environment variable name") String> allowedEnv){

	/**
	 * The greeting of the classic socket lab program that tcp-greeter grew from.
	 */
	public static final String DEFAULT_GREETING = "Hello World! This is Bhushan";

}
