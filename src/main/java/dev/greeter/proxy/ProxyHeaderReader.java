package dev.greeter.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import dev.greeter.proxy.InvalidProxyHeaderException.Reason;

/**
 * Reads the PROXY protocol header a connection starts with, before the server greets.
 * <p>
 * Bounded three ways, so that no client can hold a thread: a whole header must arrive
 * within the timeout (a deadline, not a per-read timeout, so a client dripping one byte
 * at a time gains nothing), it may be at most {@value ProxyHeaderParser#MAX_HEADER}
 * bytes, and each read asks for the rest of that budget at once. What it reads past the
 * header is handed back: a TLS handshake may follow it on the same connection.
 *
 * @author tcp-greeter team
 */
public final class ProxyHeaderReader {

	private final ProxyProtocol protocol;

	private final long timeoutNanos;

	/**
	 * Create a reader.
	 * @param protocol whether a header is optional or required; not {@code OFF}
	 * @param timeout how long a header may take to arrive
	 */
	public ProxyHeaderReader(ProxyProtocol protocol, Duration timeout) {
		if (protocol == ProxyProtocol.OFF) {
			throw new IllegalArgumentException("No header is read when the PROXY protocol is off");
		}
		this.protocol = protocol;
		this.timeoutNanos = timeout.toNanos();
	}

	/**
	 * Read the header from a new connection.
	 * @param input the connection, nothing read from it yet
	 * @return the header, or none when headers are optional and this connection sent
	 * none; and the bytes read after it
	 * @throws InvalidProxyHeaderException when the connection must be refused
	 * @throws IOException when the connection fails
	 */
	public Read read(TimedInput input) throws IOException {
		Read read = new Read(new byte[ProxyHeaderParser.MAX_HEADER]);
		try {
			read.header = readHeader(input, read);
			return read;
		}
		catch (InvalidProxyHeaderException ex) {
			if (ex.reason() == Reason.MISSING && this.protocol == ProxyProtocol.OPTIONAL) {
				return read; // what was read is the start of the client's own bytes
			}
			throw ex;
		}
	}

	private ProxyHeader readHeader(TimedInput input, Read read) throws IOException {
		byte[] received = read.received;
		int length = 0;
		long deadline = System.nanoTime() + this.timeoutNanos;
		while (true) {
			read.length = length;
			ProxyHeader header = ProxyHeaderParser.parse(received, length);
			if (header != null) {
				return header;
			}
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				throw timedOut(length);
			}
			int count;
			try {
				count = input.read(received, length, received.length - length,
						Math.max(1, Math.toIntExact(remaining / 1_000_000)));
			}
			catch (InterruptedIOException ex) {
				throw timedOut(length);
			}
			if (count < 0) {
				throw (length == 0)
						? new InvalidProxyHeaderException(Reason.MISSING, "closed before sending a PROXY header")
						: new InvalidProxyHeaderException(Reason.TRUNCATED,
								"closed after " + length + " bytes of a PROXY header");
			}
			length += count;
		}
	}

	private InvalidProxyHeaderException timedOut(int length) {
		long millis = this.timeoutNanos / 1_000_000;
		return (length == 0)
				? new InvalidProxyHeaderException(Reason.MISSING, "no PROXY header within " + millis + " ms")
				: new InvalidProxyHeaderException(Reason.TIMEOUT,
						"only " + length + " bytes of a PROXY header within " + millis + " ms");
	}

	/**
	 * What was read from a connection: its header, if any, and what came after it.
	 */
	public static final class Read {

		private final byte[] received;

		private int length;

		private @Nullable ProxyHeader header;

		private Read(byte[] received) {
			this.received = received;
		}

		/**
		 * The header.
		 * @return it, or {@code null} when an optional header was not sent
		 */
		public @Nullable ProxyHeader header() {
			return this.header;
		}

		/**
		 * The bytes read after the header (all of them, when there was none).
		 * @return a stream of them, maybe empty
		 */
		public InputStream remainder() {
			int from = (this.header != null) ? this.header.length() : 0;
			return new ByteArrayInputStream(this.received, from, Math.max(0, this.length - from));
		}

	}

	/**
	 * What the header is read from: a connection's input, read with a time limit. The
	 * reader knows nothing of sockets; the server reads its socket with a read timeout.
	 */
	@FunctionalInterface
	public interface TimedInput {

		/**
		 * Read what has arrived, waiting at most the given time for something to.
		 * @param buffer where the bytes go
		 * @param offset where in it
		 * @param length at most how many
		 * @param timeoutMillis how long to wait, at least 1
		 * @return how many were read, or -1 at the end of the input
		 * @throws InterruptedIOException when nothing arrived in time
		 * @throws IOException when the connection fails
		 */
		int read(byte[] buffer, int offset, int length, int timeoutMillis) throws IOException;

	}

}
