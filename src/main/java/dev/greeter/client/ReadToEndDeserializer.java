package dev.greeter.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

import org.springframework.core.serializer.Deserializer;
import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;

/**
 * Reads a greeting until the server closes the connection, as RFC 865 clients do: the
 * whole greeting, however many lines it has, never just the first line.
 * <p>
 * Unlike the framework's {@code ByteArrayRawSerializer}, it reads in blocks rather than a
 * byte per call, allocates only what the greeting needs rather than the maximum size, and
 * reports a greeting that is too large with a type of its own. The timeout bounds the
 * whole greeting, not each read: a server that sends a byte now and then cannot keep a
 * client waiting for ever.
 *
 * @author tcp-greeter team
 */
final class ReadToEndDeserializer implements Deserializer<byte[]> {

	private static final int BLOCK = 8192;

	private final int maxSize;

	private final long timeoutNanos;

	ReadToEndDeserializer(int maxSize, Duration timeout) {
		this.maxSize = maxSize;
		this.timeoutNanos = timeout.toNanos();
	}

	@Override
	public byte[] deserialize(InputStream input) throws IOException {
		long deadline = System.nanoTime() + this.timeoutNanos;
		byte[] buffer = new byte[Math.min(BLOCK, this.maxSize + 1)];
		int length = 0;
		for (int n; (n = input.read(buffer, length, buffer.length - length)) >= 0;) {
			if (System.nanoTime() - deadline > 0) {
				throw new SocketTimeoutException("greeting not complete within the timeout");
			}
			length += n;
			if (length > this.maxSize) {
				throw new GreetingTooLargeException(this.maxSize);
			}
			if (length == buffer.length) {
				buffer = Arrays.copyOf(buffer, Math.min(buffer.length * 2, this.maxSize + 1));
			}
		}
		if (length == 0) {
			throw new SoftEndOfStreamException("closed without a greeting");
		}
		return Arrays.copyOf(buffer, length);
	}

}
