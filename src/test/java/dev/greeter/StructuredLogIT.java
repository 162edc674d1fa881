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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

	private static final Pattern LISTENING = Pattern.compile("Greeting server listening on port (\\d+)");

	@TempDir
	Path directory;

	@Test
	void withEcsEveryLineIsJsonAndAConnectionsRecordHasItsFields() throws Exception {
		Path out = this.directory.resolve("stdout.json");
		Process server = start(out, "--logging.structured.format.console=ecs",
				"--greeter.server.proxy-protocol=optional");
		try {
			int port = awaitPort(server, out);
			int clientPort = greeted(port, "PROXY TCP6 2001:db8::7 2001:db8::1 40001 8000\r\n");
			await("the connection's record").atMost(Duration.ofSeconds(30))
				.until(() -> Files.readString(out).contains("Connection closed with"));
			server.destroy();
			assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();

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
			server.destroyForcibly();
			server.waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void withoutItTheTextLineReadsAsItAlwaysHas() throws Exception {
		Path out = this.directory.resolve("stdout.txt");
		Process server = start(out);
		try {
			int port = awaitPort(server, out);
			int clientPort = greeted(port, "");
			await("the connection's line").atMost(Duration.ofSeconds(30))
				.until(() -> Files.readString(out).contains("Connection established with /127.0.0.1:" + clientPort));
			server.destroy();
			assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
			String text = Files.readString(out);
			assertThat(text).containsPattern("INFO \\d+ --- \\[tcp-greeter\\] \\[\\s*greeter-\\d+\\] "
					+ "dev\\.greeter\\.server\\.ConnectionGreeter\\s+: Connection established with /127\\.0\\.0\\.1:"
					+ clientPort + "\\n")
				.doesNotContain("Connection closed with")
				.doesNotContain("outcome");
		}
		finally {
			server.destroyForcibly();
			server.waitFor(10, TimeUnit.SECONDS);
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
				.isEqualTo("Hello World! This is Bhushan\r\n");
			return socket.getLocalPort();
		}
	}

	private static int awaitPort(Process server, Path out) throws IOException {
		await("the server to listen").atMost(JarProcess.STARTUP)
			.until(() -> LISTENING.matcher(Files.readString(out)).find() || !server.isAlive());
		Matcher matcher = LISTENING.matcher(Files.readString(out));
		assertThat(matcher.find()).as(Files.readString(out)).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

	// Standard output alone, as a log shipper reads it from a container.
	private static Process start(Path out, String... arguments) throws IOException {
		String java = ProcessHandle.current().info().command().orElse("java");
		List<String> command = new ArrayList<>(
				List.of(java, "-jar", "target/tcp-greeter.jar", "--greeter.server.address=127.0.0.1",
						"--greeter.server.port=0", "--server.port=0", "--server.address=127.0.0.1"));
		command.addAll(List.of(arguments));
		return new ProcessBuilder(command).redirectOutput(out.toFile())
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
	}

}
