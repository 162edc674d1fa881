package dev.greeter.server.tcp;

import dev.greeter.server.Java22Method;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The greeting and its FIN in one TCP segment: the listening socket gets
 * {@code TCP_CORK}, which every accepted socket inherits, so the greeting's write only
 * queues it and the half-close sends both. A greeting costs the server's kernel one trip
 * through the network stack instead of two, and the client one segment to take in and one
 * wake-up instead of two (docs/BENCHMARKS.md has the figures). A client sees no
 * difference but the packets: the greeting is whole, its end follows it at once, and the
 * clean close is what it was.
 * <p>
 * Only a listener without TLS: a handshake's messages must leave when written, and cork
 * would hold each back until a full segment or 200 ms. Every write to a corked socket is
 * followed by its half-close or its close (ConnectionGreeter), which sends what waits; a
 * greeting larger than a segment leaves its full segments as they fill.
 * <p>
 * Set where the runtime can: Java 22 and later on Linux ({@code ListeningSocketCork},
 * compiled for 22 and loaded by name, so that this class still runs on 17). Elsewhere the
 * greeting and its FIN leave in two segments, as before.
 *
 * @author tcp-greeter team
 */
final class GreetingSegments {

	private static final Logger logger = LoggerFactory.getLogger(GreetingSegments.class);

	private static final Java22Method CORK = Java22Method.find("setting TCP_CORK",
			"dev.greeter.server.tcp.ListeningSocketCork", "cork", InetSocketAddress.class);

	private GreetingSegments() {
	}

	/**
	 * Make the greeting and its FIN leave in one segment on every socket this listening
	 * socket accepts from now on. Where the runtime cannot, a debug line says why; where
	 * it should and did not, a warning: the server greets as well either way.
	 * @param listening a bound listening socket of a channel
	 * @param listener the listener, as the log names it
	 */
	static void joinFin(ServerSocket listening, String listener) {
		Method cork = CORK.method();
		if (cork == null) {
			logger.debug("{}: the greeting and its FIN leave in two segments: {}", listener, CORK.missing());
			return;
		}
		String failure;
		try {
			failure = (String) cork.invoke(null, (InetSocketAddress) listening.getLocalSocketAddress());
		}
		catch (InvocationTargetException ex) {
			failure = String.valueOf(ex.getCause());
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			failure = ex.toString();
		}
		if (failure != null) {
			logger.warn("{}: the greeting and its FIN leave in two segments: TCP_CORK was not set ({})", listener,
					failure);
		}
	}

}
