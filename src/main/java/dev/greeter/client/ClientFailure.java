package dev.greeter.client;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * A connection that gave no acceptable greeting, and the one line that tells a person
 * why. The lines are made here, once, for every way the client connects (the framework's
 * connections, watch mode's own), so that a failure reads the same whichever made it.
 *
 * @param kind the kind of failure
 * @param message what happened, without the program name
 * @author tcp-greeter team
 */
record ClientFailure(FailureKind kind, String message) {

	/**
	 * A connection that could not be made.
	 * @param cause why, without the framework's wrappers
	 * @param properties the target and its timeout
	 * @return the failure: {@code connect}, or {@code reset} for a connection the server
	 * reset while it was being set up
	 */
	static ClientFailure ofConnect(Throwable cause, ClientProperties properties) {
		String target = properties.target();
		if (cause instanceof UnknownHostException) {
			return new ClientFailure(FailureKind.CONNECT, "unknown host " + properties.host());
		}
		if (cause instanceof SocketTimeoutException) {
			return new ClientFailure(FailureKind.CONNECT,
					"cannot connect to " + target + ": connect timed out (greeter.client.timeout)");
		}
		if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
			return new ClientFailure(FailureKind.CONNECT,
					"cannot connect to " + target + ": " + FailureKind.describe(cause));
		}
		// Connected, but the server reset the connection before the client had set it up.
		return ofRead(FailureKind.RESET, cause, properties);
	}

	/**
	 * A connection that failed while its greeting was read.
	 * @param kind how
	 * @param cause the failure
	 * @param properties the target and its bounds
	 * @return the failure
	 */
	static ClientFailure ofRead(FailureKind kind, Throwable cause, ClientProperties properties) {
		String target = properties.target();
		String message = switch (kind) {
			case TIMEOUT -> "no complete greeting from " + target + " within " + properties.timeout().toMillis()
					+ " ms (greeter.client.timeout)";
			case TOO_LARGE -> "the greeting from " + target + " is larger than " + properties.maxSize()
					+ " (greeter.client.max-size)";
			case NO_GREETING -> target + " closed the connection without a greeting";
			default -> "connection to " + target + " failed before the greeting ended: " + FailureKind.describe(cause);
		};
		return new ClientFailure(kind, message);
	}

}
