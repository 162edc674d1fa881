package dev.greeter;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * JSON logs as a log pipeline reads them: with
 * {@code logging.structured.format.console=ecs} every line on standard output parses as
 * JSON, and a connection's record carries the listener, the real client and the proxy it
 * came through, the greeting's hash, the outcome, the duration and the bytes. Without it
 * the text line reads as it always has.
 */
class StructuredLogIT {

	@TempDir
	Path directory;

	@Test
	void withEcsEveryLineIsJsonAndAConnectionsRecordHasItsFields() throws Exception {
		Path out = this.directory.resolve("stdout.json");
		JarProcess server = start(out, "--logging.structured.format.console=ecs",
				"--greeter.server.proxy-protocol=optional");
		try {
			int port = server.port();
			int clientPort = greeted(port, "PROXY TCP6 2001:db8::7 2001:db8::1 40001 8000\r\n");
			await("the connection's record").atMost(Duration.ofSeconds(30))
				.until(() -> Files.readString(out).contains("Connection closed with"));
			assertThat(server.sigterm(Duration.ofSeconds(30))).isZero();

			List<Map<String, Object>> records = new ArrayList<>();
			for (String line : Files.readAllLines(out)) {
				assertThat(line).as("a line of standard output").startsWith("{").endsWith("}");
				records.add(JsonPath.read(line, "$"));
			}
			Map<String, Object> closed = records.stream()
				.filter((record) -> String.valueOf(record.get("message")).startsWith("Connection closed with"))
				.findFirst()
				.orElseThrow();
			String json = Files.readAllLines(out)
				.stream()
				.filter((line) -> line.contains("Connection closed with"))
				.findFirst()
				.orElseThrow();
			assertThat(closed.get("message"))
				.isEqualTo("Connection closed with /[2001:db8::7]:40001 (via /127.0.0.1:" + clientPort + ")");
			assertThat(JsonPath.<String>read(json, "$.listener")).isEqualTo("default");
			assertThat(JsonPath.<String>read(json, "$.client.address")).isEqualTo("2001:db8::7");
			assertThat(JsonPath.<Integer>read(json, "$.client.port")).isEqualTo(40001);
			assertThat(JsonPath.<String>read(json, "$.proxy.address")).isEqualTo("127.0.0.1");
			assertThat(JsonPath.<Integer>read(json, "$.proxy.port")).isEqualTo(clientPort);
			assertThat(JsonPath.<String>read(json, "$.greeting.sha256")).hasSize(12);
			assertThat(JsonPath.<String>read(json, "$.outcome")).isEqualTo("greeted");
			assertThat(JsonPath.<Integer>read(json, "$.bytes")).isEqualTo(30);
			assertThat(JsonPath.<Integer>read(json, "$.duration_ms")).isNotNegative();
		}
		finally {
			server.close();
		}
	}

	@Test
	void withoutItTheTextLineReadsAsItAlwaysHas() throws Exception {
		Path out = this.directory.resolve("stdout.txt");
		JarProcess server = start(out);
		try {
			int port = server.port();
			int clientPort = greeted(port, "");
			await("the connection's line").atMost(Duration.ofSeconds(30))
				.until(() -> Files.readString(out).contains("Connection established with /127.0.0.1:" + clientPort));
			assertThat(server.sigterm(Duration.ofSeconds(30))).isZero();
			String text = Files.readString(out);
			assertThat(text).containsPattern("INFO \\d+ --- \\[tcp-greeter\\] \\[\\s*drain-default\\] "
					+ "d\\.greeter\\.server\\.tcp\\.ConnectionGreeter\\s+: Connection established with /127\\.0\\.0\\.1:"
					+ clientPort + "\\n")
				.doesNotContain("Connection closed with")
				.doesNotContain("outcome");
		}
		finally {
			server.close();
		}
	}

	/**
	 * Connect, send what a client sends first, and read the whole greeting.
	 * @param port the greeting port
	 * @param first what to send before reading (a PROXY header, say), or nothing
	 * @return the client's own port, as the log shows it
	 * @throws IOException on a connection error
	 */
	private static int greeted(int port, String first) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
			socket.setSoTimeout(10_000);
			OutputStream output = socket.getOutputStream();
			output.write(first.getBytes(StandardCharsets.US_ASCII));
			output.flush();
			assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
				.isEqualTo(GreetingProperties.DEFAULT_GREETING + "\r\n");
			return socket.getLocalPort();
		}
	}

	// Standard output alone, as a log shipper reads it from a container.
	private JarProcess start(Path out, String... arguments) throws IOException {
		return JarProcess.jar(out).stderr(this.directory.resolve("stderr.txt")).start(arguments);
	}

}
