package dev.greeter.server.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;

import dev.greeter.SocketPair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@link DrainingDeserializer} on a real socket pair on 127.0.0.1, as Spring
 * Integration's own deserializer tests use one: it reads everything a client sends and
 * never makes a message of it, and every way a client can end is a quiet end of stream,
 * without a stack trace.
 */
class DrainingDeserializerTests {

	private final DrainingDeserializer deserializer = new DrainingDeserializer();

	@RegisterExtension
	final SocketPair sockets = new SocketPair();

	@Test
	void aClientThatSendsNothingEndsAtItsClose() throws IOException {
		this.sockets.client().close();
		SoftEndOfStreamException end = drain(this.sockets.server().getInputStream());
		assertThat(end).hasMessage("closed by client");
		assertThat(end.getStackTrace()).isEmpty();
	}

	@Test
	void whatAClientSendsIsReadToTheEndAndThrownAway() throws Exception {
		byte[] garbage = new byte[1024 * 1024];
		CountingInput counted = new CountingInput(this.sockets.server().getInputStream());
		Thread writer = new Thread(() -> {
			try (OutputStream output = this.sockets.client().getOutputStream()) {
				output.write(garbage);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		writer.start();
		assertThat(drain(counted)).hasMessage("closed by client");
		assertThat(counted.bytes).as("every byte read, so that the close is a FIN, not a reset")
			.isEqualTo(garbage.length);
		writer.join(10_000);
		assertThat(writer.isAlive()).isFalse();
	}

	@Test
	void aResetIsAQuietEndWithoutAStackTrace() throws IOException {
		this.sockets.client().getOutputStream().write('x');
		this.sockets.client().setSoLinger(true, 0);
		this.sockets.client().close();
		SoftEndOfStreamException end = drain(this.sockets.server().getInputStream());
		assertThat(end.getMessage()).startsWith("connection aborted: ");
		assertThat(end.getStackTrace()).isEmpty();
	}

	private SoftEndOfStreamException drain(InputStream input) {
		return catchThrowableOfType(SoftEndOfStreamException.class, () -> this.deserializer.deserialize(input));
	}

	private static final class CountingInput extends InputStream {

		private final InputStream input;

		private long bytes;

		CountingInput(InputStream input) {
			this.input = input;
		}

		@Override
		public int read() throws IOException {
			int b = this.input.read();
			this.bytes += (b >= 0) ? 1 : 0;
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int n = this.input.read(buffer, offset, length);
			this.bytes += Math.max(n, 0);
			return n;
		}

	}

}
