package dev.greeter.client;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.Ports;
import dev.greeter.RunningServer;
import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client's watch mode against real sockets: lines per interval, a summary whose
 * counts add up, failures by kind with their window, the exit status, JSON lines, UDP.
 */
@ExtendWith(OutputCaptureExtension.class)
class WatchTests {

	private static final String GREETING = GreetingProperties.DEFAULT_GREETING;

	@Test
	void reportsEachIntervalAndASummaryThatAddsUp(CapturedOutput output) {
		try (RunningServer server = RunningServer.start("greeter.server.log-connections=false")) {
			int outStart = output.getOut().length();
			int errStart = output.getErr().length();
			int status = ClientTests.runClient("--greeter.client.port=" + server.port(), "--greeter.client.duration=2s",
					"--greeter.client.rate=50", "--greeter.client.interval=500ms");
			String out = output.getOut().substring(outStart);
			assertThat(status).isZero();
			List<String> intervals = out.lines()
				.filter((line) -> line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  ok .*"))
				.toList();
			assertThat(intervals).hasSizeBetween(4, 5)
				.allSatisfy((line) -> assertThat(line).contains("failed 0  greetings 1: ").endsWith(" x " + GREETING));
			int okInIntervals = intervals.stream().mapToInt((line) -> number(line, "ok (\\d+)")).sum();
			// Evenly spread: 50 per second for 2 s is exactly 100 connections.
			assertThat(out).contains("summary: 100 connections to 127.0.0.1:" + server.port())
				.contains(": 100 ok, 0 failed")
				.contains("   100  100.0%  " + GREETING)
				.containsPattern("connect +\\d+\\.\\d\\d ms")
				.containsPattern("greeting +\\d+\\.\\d\\d ms")
				.contains("longest gap without a success: ");
			assertThat(okInIntervals).isEqualTo(100);
			// Standard error is not a terminal here: no progress line, nothing at all.
			assertThat(output.getErr().substring(errStart)).isEmpty();
		}
	}

	@Test
	void jsonLinesForScriptsAddUpToTheSummary(CapturedOutput output) {
		try (RunningServer server = RunningServer.start("greeter.server.log-connections=false")) {
			int outStart = output.getOut().length();
			assertThat(ClientTests.runClient("--greeter.client.port=" + server.port(), "--greeter.client.duration=1s",
					"--greeter.client.rate=40", "--greeter.client.interval=250ms", "--greeter.client.format=json"))
				.isZero();
			List<String> lines = output.getOut().substring(outStart).lines().toList();
			assertThat(lines).allSatisfy((line) -> assertThat(line).startsWith("{").endsWith("}"));
			String summary = lines.get(lines.size() - 1);
			assertThat(JsonPath.<String>read(summary, "$.type")).isEqualTo("summary");
			assertThat(JsonPath.<Integer>read(summary, "$.started")).isEqualTo(40);
			assertThat(JsonPath.<Integer>read(summary, "$.succeeded")).isEqualTo(40);
			assertThat(JsonPath.<Integer>read(summary, "$.failed")).isZero();
			assertThat(JsonPath.<String>read(summary, "$.greetings[0].greeting")).isEqualTo(GREETING);
			assertThat(JsonPath.<Double>read(summary, "$.greetingMillis.p99")).isPositive();
			assertThat(JsonPath.<Integer>read(summary, "$.exitStatus")).isZero();
			int succeeded = lines.subList(0, lines.size() - 1)
				.stream()
				.peek((line) -> assertThat(JsonPath.<String>read(line, "$.type")).isEqualTo("interval"))
				.mapToInt((line) -> JsonPath.<Integer>read(line, "$.succeeded"))
				.sum();
			assertThat(succeeded).isEqualTo(40);
		}
	}

	@Test
	void failuresAreCountedByKindWithTheirWindowAndSetTheExitStatus(CapturedOutput output) throws Exception {
		int port = Ports.free();
		int outStart = output.getOut().length();
		int errStart = output.getErr().length();
		assertThat(ClientTests.runClient("--greeter.client.port=" + port, "--greeter.client.duration=1s",
				"--greeter.client.rate=20"))
			.isEqualTo(3);
		String out = output.getOut().substring(outStart);
		assertThat(out).contains(": 0 ok, 20 failed")
			.containsPattern("failed: connect 20, from \\d\\d:\\d\\d:\\d\\d\\.\\d{3} to \\d\\d:\\d\\d:\\d\\d\\.\\d{3}")
			.containsPattern("longest gap without a success: \\d+ ms");
		assertThat(output.getErr().substring(errStart)).contains("tcp-greeter: 20 x connect, for example: cannot "
				+ "connect to 127.0.0.1:" + port + ": Connection refused");
		// Up to a budget of failures, the run still passes.
		assertThat(ClientTests.runClient("--greeter.client.port=" + port, "--greeter.client.duration=500ms",
				"--greeter.client.rate=10", "--greeter.client.max-failures=5"))
			.isZero();
		assertThat(ClientTests.runClient("--greeter.client.port=" + port, "--greeter.client.duration=500ms",
				"--greeter.client.rate=10", "--greeter.client.max-failures=4"))
			.isEqualTo(3);
	}

	@Test
	void jsonHasOneObjectPerFailedConnection(CapturedOutput output) throws Exception {
		int port = Ports.free();
		int outStart = output.getOut().length();
		assertThat(ClientTests.runClient("--greeter.client.port=" + port, "--greeter.client.duration=500ms",
				"--greeter.client.rate=10", "--greeter.client.format=json"))
			.isEqualTo(3);
		List<String> lines = output.getOut().substring(outStart).lines().toList();
		List<String> failures = lines.stream().filter((line) -> line.contains("\"type\":\"failure\"")).toList();
		assertThat(failures).hasSize(5)
			.allSatisfy((line) -> assertThat(JsonPath.<String>read(line, "$.kind")).isEqualTo("connect"));
		String summary = lines.get(lines.size() - 1);
		assertThat(JsonPath.<Integer>read(summary, "$.failures.connect")).isEqualTo(5);
		assertThat(JsonPath.<Integer>read(summary, "$.exitStatus")).isEqualTo(3);
		assertThat(JsonPath.<String>read(summary, "$.firstFailure")).isNotBlank();
		// No connection, no greeting: nothing was measured, and the summary says so.
		assertThat(JsonPath.<Object>read(summary, "$.connectMillis")).isNull();
		assertThat(JsonPath.<Object>read(summary, "$.greetingMillis")).isNull();
	}

	@Test
	void eachWayATcpGreetingFailsReadsAsTheSingleConnectionClientSaysIt(CapturedOutput output) throws Exception {
		try (ScriptedServer tooLarge = ScriptedServer.start((socket, n) -> ClientTests.write(socket, "x".repeat(100)));
				ScriptedServer silentClose = ScriptedServer.start((socket, n) -> {
				});
				ScriptedServer slow = ScriptedServer.start((socket, n) -> Thread.sleep(2_000))) {
			int errStart = output.getErr().length();
			assertThat(ClientTests.runClient("--greeter.client.port=" + tooLarge.port(),
					"--greeter.client.duration=300ms", "--greeter.client.rate=10", "--greeter.client.max-size=64B"))
				.isEqualTo(5);
			assertThat(ClientTests.runClient("--greeter.client.port=" + silentClose.port(),
					"--greeter.client.duration=300ms", "--greeter.client.rate=10"))
				.isEqualTo(7);
			assertThat(ClientTests.runClient("--greeter.client.port=" + slow.port(), "--greeter.client.duration=300ms",
					"--greeter.client.rate=10", "--greeter.client.timeout=200ms"))
				.isEqualTo(4);
			assertThat(output.getErr().substring(errStart))
				.contains("tcp-greeter: the greeting from 127.0.0.1:" + tooLarge.port()
						+ " is larger than 64B (greeter.client.max-size)")
				.contains("tcp-greeter: 127.0.0.1:" + silentClose.port() + " closed the connection without a greeting")
				.contains("tcp-greeter: no complete greeting from 127.0.0.1:" + slow.port()
						+ " within 200 ms (greeter.client.timeout)");
		}
	}

	@Test
	void overUdpALostReplyIsATimeout(CapturedOutput output) throws Exception {
		try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
			int outStart = output.getOut().length();
			assertThat(ClientTests.runClient("--greeter.client.protocol=udp",
					"--greeter.client.port=" + silent.getLocalPort(), "--greeter.client.duration=500ms",
					"--greeter.client.rate=10", "--greeter.client.timeout=300ms", "--greeter.client.udp.retries=0"))
				.isEqualTo(4);
			assertThat(output.getOut().substring(outStart)).contains(": 0 ok, 5 failed")
				.contains("failed: timeout 5, from ");
		}
	}

	@Test
	void overUdpEveryReplyCounts(CapturedOutput output) {
		try (RunningServer server = RunningServer.start("greeter.listeners.qotd.protocol=udp",
				"greeter.listeners.qotd.udp.replies-per-second-per-source=1000")) {
			int port = server.port("qotd");
			int outStart = output.getOut().length();
			assertThat(ClientTests.runClient("--greeter.client.protocol=udp", "--greeter.client.port=" + port,
					"--greeter.client.duration=1s", "--greeter.client.rate=50"))
				.isZero();
			String out = output.getOut().substring(outStart);
			assertThat(out).contains(": 50 ok, 0 failed").contains("    50  100.0%  " + GREETING);
			// UDP has no connect step.
			assertThat(out).doesNotContainPattern("(?m)^connect ");
		}
	}

	private static int number(String line, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(line);
		assertThat(matcher.find()).as(line).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

}
