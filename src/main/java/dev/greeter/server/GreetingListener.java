package dev.greeter.server;

import org.springframework.integration.ip.tcp.connection.TcpConnection;

import dev.greeter.proxy.InvalidProxyHeaderException.Reason;

/**
 * Told the outcome of every greeting the server writes, and of every connection it turns
 * away; the metrics implement it. Called on the connection's thread, so implementations
 * must be quick and must not throw.
 *
 * @author tcp-greeter team
 */
public interface GreetingListener {

	/**
	 * A listener that ignores everything.
	 */
	GreetingListener NONE = new GreetingListener() {

		@Override
		public void greetingSent(TcpConnection connection, int bytes) {
		}

		@Override
		public void greetingAborted(Throwable cause) {
		}

		@Override
		public void connectionRejected() {
		}

		@Override
		public void proxyHeaderAccepted(int version) {
		}

		@Override
		public void proxyHeaderRejected(Reason reason) {
		}

		@Override
		public void acceptFailed(AcceptFailure kind) {
		}

	};

	/**
	 * A greeting was written whole and the connection half-closed: from now on, whatever
	 * the client does is a normal end, not an error.
	 * @param connection the connection
	 * @param bytes the size of the greeting on the wire
	 */
	void greetingSent(TcpConnection connection, int bytes);

	/**
	 * A greeting could not be written whole, usually because the client reset the
	 * connection.
	 * @param cause why
	 */
	void greetingAborted(Throwable cause);

	/**
	 * A connection was closed at once, without a greeting, because
	 * {@code greeter.server.max-connections} were open already.
	 */
	void connectionRejected();

	/**
	 * A connection started with a valid PROXY protocol header.
	 * @param version the header's version, 1 or 2
	 */
	void proxyHeaderAccepted(int version);

	/**
	 * A connection was closed without a greeting because it did not start with a valid
	 * PROXY protocol header.
	 * @param reason what was wrong
	 */
	void proxyHeaderRejected(Reason reason);

	/**
	 * Accepting a connection failed, the listening socket still open: the server backs
	 * off and accepts again.
	 * @param kind why
	 */
	void acceptFailed(AcceptFailure kind);

}
