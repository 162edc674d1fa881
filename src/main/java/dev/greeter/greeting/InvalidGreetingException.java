package dev.greeter.greeting;

/**
 * A greeting that cannot be served: a malformed template, an unknown or forbidden
 * variable, a greeting too large. The message is one line meant for the operator.
 *
 * @author tcp-greeter team
 */
public final class InvalidGreetingException extends RuntimeException {

	InvalidGreetingException(String message) {
		super(message);
	}

}
