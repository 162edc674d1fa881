package dev.greeter.greeting;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * What the server says ({@code greeter.*}).
 *
 * @param greeting the greeting text, sent as UTF-8
 * @param lineEnding what follows the text on the wire
 * @param maxGreetingSize the largest greeting accepted, line ending included: a guard
 * against a misconfigured greeting, and the size clients should be ready to read
 * @author tcp-greeter team
 */
@ConfigurationProperties("greeter")
@Validated
@GreetingFitsMaxSize
public record GreetingProperties(@DefaultValue(DEFAULT_GREETING) @NotEmpty String greeting,
		@DefaultValue("crlf") @NotNull LineEnding lineEnding, @DefaultValue("64KB") @NotNull DataSize maxGreetingSize) {

	/**
	 * The greeting of the classic socket lab program that tcp-greeter grew from.
	 */
	public static final String DEFAULT_GREETING = "Hello World! This is Bhushan";

	/**
	 * The greeting these settings describe.
	 * @return the greeting, encoded
	 */
	public Greeting toGreeting() {
		return Greeting.of(this.greeting, this.lineEnding);
	}

}
