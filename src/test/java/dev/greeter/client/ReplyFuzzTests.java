package dev.greeter.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client's deserializer and its reply check under a coverage-guided fuzzer, with the
 * reply split into reads of any size as a network splits it: a reply is read whole or
 * refused as too large or empty, and the check either accepts it as text or says why not,
 * never throwing.
 */
class ReplyFuzzTests {

	private static final int MAX_SIZE = 256;

	@FuzzTest(maxDuration = "10s")
	void anyReplyIsReadWholeOrRefusedAndCheckedWithoutThrowing(FuzzedDataProvider data) throws IOException {
		int chunk = data.consumeInt(1, 64);
		byte[] reply = data.consumeRemainingAsBytes();
		InputStream network = new ByteArrayInputStream(reply) {
			@Override
			public synchronized int read(byte[] buffer, int offset, int length) {
				return super.read(buffer, offset, Math.min(length, chunk));
			}
		};
		byte[] read;
		try {
			read = new ReadToEndDeserializer(MAX_SIZE, Duration.ofSeconds(5)).deserialize(network);
		}
		catch (GreetingTooLargeException ex) {
			assertThat(reply.length).isGreaterThan(MAX_SIZE);
			return;
		}
		catch (SoftEndOfStreamException ex) {
			assertThat(reply).isEmpty();
			return;
		}
		assertThat(read).isEqualTo(reply);
		String problem = ReplyCheck.problem(read, "127.0.0.1:8000");
		if (problem == null) {
			String text = new String(read, StandardCharsets.UTF_8);
			assertThat(text.getBytes(StandardCharsets.UTF_8)).as("valid UTF-8").isEqualTo(read);
			assertThat(text.chars()).allMatch((c) -> c >= 0x20 && c != 0x7f || c == '\t' || c == '\r' || c == '\n');
		}
		else {
			assertThat(problem).contains("127.0.0.1:8000");
		}
	}

}
