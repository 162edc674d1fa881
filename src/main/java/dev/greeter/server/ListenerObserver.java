package dev.greeter.server;

import org.springframework.integration.ip.tcp.connection.TcpConnection;

import dev.greeter.proxy.InvalidProxyHeaderException.Reason;

/**
 * Told everything that happens on one listener, as it happens: the one channel through
 * which the metrics see the server. Called on the connection's (or the datagram's)
 * thread, so implementations must be quick and must not throw. Every method does nothing
 * unless overridden.
 *
 * @author tcp-greeter team
 */
public interface ListenerObserver {

	/**
	 * An observer that ignores everything.
	 */
	ListenerObserver NONE = new ListenerObserver() {
	};

	/**
	 * A connection was accepted (past its PROXY header, when one is expected) and is
	 * about to be greeted.
	 * @param connection the connection
	 */
	default void opened(TcpConnection connection) {
	}

	/**
	 * A greeting was written whole and the connection half-closed: from now on, whatever
	 * the client does is a normal end, not an error.
	 * @param connection the connection
	 * @param bytes the size of the greeting on the wire
	 */
	default void greetingSent(TcpConnection connection, int bytes) {
	}

	/**
	 * A greeting could not be written whole, usually because the client reset the
	 * connection.
	 * @param connection the connection
	 * @param cause why
	 */
	default void greetingAborted(TcpConnection connection, Throwable cause) {
	}

	/**
	 * A read or a write on an open connection failed, or the client ended it: the
	 * framework's exception event.
	 * @param connection the connection
	 * @param cause what happened
	 */
	default void failed(TcpConnection connection, Throwable cause) {
	}

	/**
	 * A connection closed, whoever closed it.
	 * @param connection the connection
	 */
	default void closed(TcpConnection connection) {
	}

	/**
	 * A connection was closed at once, without a greeting, because the listener's
	 * {@code max-connections} were open already.
	 */
	default void connectionRejected() {
	}

	/**
	 * A connection started with a valid PROXY protocol header.
	 * @param version the header's version, 1 or 2
	 */
	default void proxyHeaderAccepted(int version) {
	}

	/**
	 * A connection was closed without a greeting because it did not start with a valid
	 * PROXY protocol header.
	 * @param reason what was wrong
	 */
	default void proxyHeaderRejected(Reason reason) {
	}

	/**
	 * Accepting a connection failed, the listening socket still open: the server backs
	 * off and accepts again.
	 * @param kind why
	 */
	default void acceptFailed(AcceptFailure kind) {
	}

	/**
	 * A datagram arrived on a UDP listener.
	 */
	default void datagramReceived() {
	}

	/**
	 * A reply datagram was sent.
	 * @param bytes its size
	 */
	default void datagramReplied(int bytes) {
	}

	/**
	 * A datagram got no reply.
	 * @param reason why
	 */
	default void datagramDropped(DatagramDrop reason) {
	}

}
