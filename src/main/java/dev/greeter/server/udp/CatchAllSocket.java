package dev.greeter.server.udp;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;

import org.jspecify.annotations.Nullable;

/**
 * A UDP socket bound to the wildcard address, beside the per-address ones, that takes
 * what none of them does: a datagram to a local address that no interface lists (Linux
 * delivers all of 127.0.0.0/8 locally), or to an address added since the last check.
 * <p>
 * Only a socket that can read each datagram's destination ({@link #readsDestination()})
 * may answer, and then from that destination: a wildcard socket's plain reply would leave
 * from whichever address the route picks, which a client's connected socket and conntrack
 * drop.
 *
 * @author tcp-greeter team
 */
interface CatchAllSocket extends Closeable {

	/**
	 * Wait a short while (a quarter of a second at most) for one datagram.
	 * @return the datagram, or null if none came, or the socket is closed
	 * @throws IOException if receiving failed
	 */
	@Nullable Received receive() throws IOException;

	/**
	 * Send a reply from the address the request was sent to.
	 * @param payload the reply
	 * @param received the request, with its destination
	 * @throws IOException if the reply could not be sent
	 */
	void reply(byte[] payload, Received received) throws IOException;

	/**
	 * Whether this socket knows each datagram's destination, and so can answer from it.
	 * @return true with {@code IP_PKTINFO} (Java 22 and later, on Linux)
	 */
	boolean readsDestination();

	/**
	 * The local address and port, for messages.
	 * @return the wildcard address with the port
	 */
	InetSocketAddress localAddress();

	/**
	 * Close the socket; a {@link #receive()} under way returns null soon after.
	 */
	@Override
	void close();

	/**
	 * Free what the socket holds, once its receive loop has ended (after
	 * {@link #close()}).
	 */
	default void release() {
	}

	/**
	 * One datagram, as far as a greeting needs it.
	 *
	 * @param source who sent it
	 * @param destination the local address it was sent to, or null if this socket cannot
	 * tell
	 * @param interfaceIndex the interface it arrived on (an IPv6 link-local reply needs
	 * it), 0 if unknown
	 */
	record Received(InetSocketAddress source, @Nullable InetAddress destination, int interfaceIndex) {
	}

	/**
	 * The host has no such address family (a kernel without IPv6): told apart by its
	 * error number, not its text, which the C library translates into the user's
	 * language.
	 */
	final class NoAddressFamily extends SocketException {

		private static final long serialVersionUID = 1L;

		NoAddressFamily(String message) {
			super(message);
		}

	}

}
