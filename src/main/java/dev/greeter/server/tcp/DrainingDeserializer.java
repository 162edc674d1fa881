package dev.greeter.server.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

import org.springframework.core.serializer.Deserializer;
import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;

/**
 * Reads and throws away whatever a client sends after its greeting, until the client
 * closes or the linger period ends. It never produces a message.
 * <p>
 * Why read at all: closing a socket with unread input makes the kernel answer with a
 * reset, and a reset can destroy greeting bytes the client has not read yet (RFC 1122
 * 4.2.2.13; RFC 865 also says data received is thrown away). So the server half-closes
 * after the greeting and drains here. The {@link LingerSweep} ends a client that is still
 * connected, or still sending, when the linger period is over: it shuts the socket's
 * input down, which the kernel answers by discarding what is queued, and the read below
 * returns its end.
 *
 * @author tcp-greeter team
 */
final class DrainingDeserializer implements Deserializer<byte[]> {

	private static final int BUFFER_SIZE = 8192;

	@Override
	public byte[] deserialize(InputStream input) throws IOException {
		try {
			// Most clients send nothing: one read sees their close, and no buffer is
			// allocated.
			if (input.read() < 0) {
				throw ConnectionEnd.CLOSED_BY_CLIENT;
			}
			byte[] discard = new byte[BUFFER_SIZE];
			while (input.read(discard) >= 0) {
				// thrown away
			}
			throw ConnectionEnd.CLOSED_BY_CLIENT;
		}
		catch (SocketException ex) {
			// A reset by the client, or our own close: either way the connection is over,
			// and neither is a server error worth a log line from the framework.
			throw ConnectionEnd.aborted(ex);
		}
	}

	/**
	 * How a connection ended from the client's side. A {@link SoftEndOfStreamException},
	 * so that Spring Integration closes the connection quietly; without a stack trace,
	 * since nobody will print one and filling it in costs more than the greeting.
	 */
	static final class ConnectionEnd extends SoftEndOfStreamException {

		static final ConnectionEnd CLOSED_BY_CLIENT = new ConnectionEnd("closed by client");

		/**
		 * A connection the client reset, or that was closed under the read.
		 * @param ex the read's failure
		 * @return the end
		 */
		static ConnectionEnd aborted(Exception ex) {
			return new ConnectionEnd("connection aborted: " + ex.getMessage());
		}

		/**
		 * A client still connected, or still sending, when the linger ended: reported as
		 * a read that timed out.
		 * @param lingerProperty the linger setting, as its property names it
		 * @return the failure
		 */
		static UncheckedIOException lingerEnded(String lingerProperty) {
			return new UncheckedIOException(
					new SocketTimeoutException("client still connected after " + lingerProperty));
		}

		ConnectionEnd(String message) {
			super(message);
		}

		@Override
		public Throwable fillInStackTrace() {
			return this;
		}

	}

}
