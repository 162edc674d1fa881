package dev.greeter.client;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;

import dev.greeter.SocketPair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link ReadToEndDeserializer} on a real socket pair on 127.0.0.1: the whole greeting
 * however it is split, up to the maximum size; nothing at all is its own outcome; and the
 * timeout bounds the whole greeting, not each read.
 */
class ReadToEndDeserializerTests {

	@RegisterExtension
	final SocketPair sockets = new SocketPair();

	@Test
	void aGreetingOfManyLinesInManyPiecesIsReadWhole() throws Exception {
		String greeting = "line one\r\n".repeat(2000) + "last line\r\n";
		OutputStream output = this.sockets.server().getOutputStream();
		byte[] bytes = greeting.getBytes(StandardCharsets.US_ASCII);
		for (int offset = 0; offset < bytes.length; offset += 1000) {
			output.write(bytes, offset, Math.min(1000, bytes.length - offset));
			output.flush();
		}
		this.sockets.server().close();
		assertThat(deserializer(64 * 1024, Duration.ofSeconds(10)).deserialize(this.sockets.client().getInputStream()))
			.asString(StandardCharsets.US_ASCII)
			.isEqualTo(greeting);
	}

	@Test
	void oneByteMoreThanTheMaximumIsTooLarge() throws Exception {
		this.sockets.server().getOutputStream().write(new byte[101]);
		this.sockets.server().close();
		assertThatExceptionOfType(GreetingTooLargeException.class).isThrownBy(
				() -> deserializer(100, Duration.ofSeconds(10)).deserialize(this.sockets.client().getInputStream()));
	}

	@Test
	void aGreetingOfTheMaximumSizeIsAccepted() throws Exception {
		this.sockets.server().getOutputStream().write(new byte[100]);
		this.sockets.server().close();
		assertThat(deserializer(100, Duration.ofSeconds(10)).deserialize(this.sockets.client().getInputStream()))
			.hasSize(100);
	}

	@Test
	void aCloseWithoutAByteIsNoGreeting() throws Exception {
		this.sockets.server().close();
		assertThatExceptionOfType(SoftEndOfStreamException.class)
			.isThrownBy(
					() -> deserializer(100, Duration.ofSeconds(10)).deserialize(this.sockets.client().getInputStream()))
			.withMessage("closed without a greeting");
	}

	@Test
	void aServerThatDripsBytesCannotOutlastTheTimeout() throws Exception {
		Thread dripper = new Thread(() -> {
			try {
				OutputStream output = this.sockets.server().getOutputStream();
				for (int i = 0; i < 50; i++) {
					output.write('x');
					output.flush();
					Thread.sleep(20);
				}
			}
			catch (IOException | InterruptedException ex) {
				// the client gave up: what the test wants
			}
		});
		dripper.start();
		try {
			assertThatExceptionOfType(SocketTimeoutException.class)
				.isThrownBy(() -> deserializer(1000, Duration.ofMillis(200))
					.deserialize(this.sockets.client().getInputStream()));
		}
		finally {
			dripper.interrupt();
			dripper.join(10_000);
		}
	}

	private static ReadToEndDeserializer deserializer(int maxSize, Duration timeout) {
		return new ReadToEndDeserializer(maxSize, timeout);
	}

}
