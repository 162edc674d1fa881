package dev.greeter.client;

import java.net.SocketTimeoutException;
import java.util.Locale;

import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;

import dev.greeter.support.Causes;

/**
 * Why a connection gave no acceptable greeting, with the exit status that says so to a
 * script. When connections fail in different ways, the lowest status wins.
 *
 * @author tcp-greeter team
 */
enum FailureKind {

	/**
	 * Connection refused, unknown host, unreachable network, or no connection within the
	 * timeout.
	 */
	CONNECT(3),

	/** Connected, but the whole greeting did not arrive within the timeout. */
	TIMEOUT(4),

	/** The server sent more than {@code greeter.client.max-size}. */
	TOO_LARGE(5),

	/** The connection was reset (or failed) before the greeting ended. */
	RESET(6),

	/** The server closed the connection without sending anything. */
	NO_GREETING(7),

	/** A greeting arrived whole but does not match {@code greeter.client.expect}. */
	MISMATCH(8),

	/**
	 * The reply is not text (a TLS record, invalid UTF-8, control bytes): not a greeting.
	 */
	NOT_TEXT(9);

	private final int exitCode;

	FailureKind(int exitCode) {
		this.exitCode = exitCode;
	}

	int exitCode() {
		return this.exitCode;
	}

	/**
	 * Classify a failure reported for a connection that was established.
	 * @param failure the cause, possibly wrapped by the framework
	 * @return the kind
	 */
	static FailureKind ofReadFailure(Throwable failure) {
		Throwable cause = Causes.unwrapped(failure);
		if (cause instanceof SocketTimeoutException) {
			return TIMEOUT;
		}
		if (cause instanceof GreetingTooLargeException) {
			return TOO_LARGE;
		}
		if (cause instanceof SoftEndOfStreamException) {
			return NO_GREETING;
		}
		return RESET;
	}

	/**
	 * A short description of a cause: its message, or its type when it has none.
	 * @param failure the failure
	 * @return the description
	 */
	static String describe(Throwable failure) {
		Throwable cause = Causes.unwrapped(failure);
		String message = cause.getMessage();
		return (message != null && !message.isBlank()) ? message
				: cause.getClass().getSimpleName().replace("Exception", "").toLowerCase(Locale.ROOT);
	}

}
