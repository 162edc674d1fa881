package dev.greeter.metrics;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Locale;

import dev.greeter.support.Causes;

/**
 * The short, fixed vocabulary of the {@code kind} tag on connection errors: a few values,
 * so the tag never grows the number of series.
 *
 * @author tcp-greeter team
 */
enum ErrorKind {

	/** The client reset the connection. */
	RESET,

	/** The server wrote to a connection the client had already closed. */
	BROKEN_PIPE,

	/** The client neither closed nor stopped sending within the linger period. */
	TIMEOUT,

	/** Any other I/O error. */
	IO,

	/** Anything else. */
	OTHER;

	/**
	 * The tag value, as Prometheus label values are usually written.
	 * @return the lower-case name
	 */
	String tag() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * Classify a failure reported by a connection event.
	 * @param failure the event's cause, possibly wrapped by the framework
	 * @return the kind
	 */
	static ErrorKind of(Throwable failure) {
		Throwable cause = Causes.unwrapped(failure);
		if (cause instanceof SocketTimeoutException) {
			return TIMEOUT;
		}
		String message = (cause.getMessage() != null) ? cause.getMessage().toLowerCase(Locale.ROOT) : "";
		if (message.contains("reset")) {
			return RESET;
		}
		if (message.contains("broken pipe")) {
			return BROKEN_PIPE;
		}
		return (cause instanceof IOException) ? IO : OTHER;
	}

}
