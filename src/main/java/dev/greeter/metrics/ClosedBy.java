package dev.greeter.metrics;

import java.util.Locale;

/**
 * Who ended a connection, the {@code by} tag of {@code greeter_connections_closed_total}.
 * What a client does after it has its whole greeting is its own business, and none of it
 * is an error: HAProxy's {@code tcp-check} reads the greeting and resets, a person's
 * {@code nc} stays until the linger ends.
 *
 * @author tcp-greeter team
 */
enum ClosedBy {

	/** The client closed, normally. */
	CLIENT,

	/**
	 * The client reset the connection (after its greeting, or before it: then it is also
	 * an error).
	 */
	CLIENT_RESET,

	/** The client was still connected when the linger ended. */
	LINGER,

	/**
	 * The server closed it: a failure of its own, a rejection, or the server stopping.
	 */
	SERVER;

	String tag() {
		return name().toLowerCase(Locale.ROOT);
	}

}
