package dev.greeter.probe;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.util.Locale;

import javax.net.ssl.SSLException;

/**
 * How one probe of one address ended, as the {@code outcome} tag says it: one value for
 * success, one for each way a path fails that an operator tells apart.
 *
 * @author tcp-greeter team
 */
enum Outcome {

	/** A whole greeting (or UDP reply) arrived, and matched {@code expect} if set. */
	OK,

	/** The host's name did not resolve. */
	DNS,

	/** Connection refused, or (UDP) port unreachable. */
	REFUSED,

	/** No route to the host, or the network unreachable. */
	NO_ROUTE,

	/** No connection, or no whole greeting, within the timeout. */
	TIMEOUT,

	/** The connection was reset or failed before the greeting ended. */
	RESET,

	/**
	 * The TLS handshake failed: an untrusted or mismatched certificate, no common
	 * protocol.
	 */
	TLS,

	/** The server closed the connection without a byte (a reply datagram was empty). */
	NO_GREETING,

	/** More than {@code max-size}. */
	TOO_LARGE,

	/** A whole greeting that does not match {@code expect}, or is not text. */
	UNEXPECTED;

	String tag() {
		return name().toLowerCase(Locale.ROOT);
	}

	static Outcome ofConnect(Exception failure) {
		if (failure instanceof SocketTimeoutException) {
			return TIMEOUT;
		}
		if (failure instanceof NoRouteToHostException) {
			return NO_ROUTE;
		}
		if (failure instanceof ConnectException || failure instanceof PortUnreachableException) {
			String message = String.valueOf(failure.getMessage());
			return message.contains("unreachable") ? NO_ROUTE : REFUSED;
		}
		return RESET;
	}

	static Outcome ofRead(Exception failure) {
		if (failure instanceof SocketTimeoutException) {
			return TIMEOUT;
		}
		if (failure instanceof SSLException) {
			return TLS;
		}
		if (failure instanceof PortUnreachableException) {
			return REFUSED;
		}
		if (failure instanceof EOFException) {
			return NO_GREETING;
		}
		return RESET;
	}

}
