package dev.greeter.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.RunningServer;
import dev.greeter.greeting.GreetingProperties;

import static dev.greeter.Meters.count;
import static dev.greeter.Meters.gauge;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The server under abuse and at shutdown, over real sockets: the connection limit, the
 * write timeout for a client that never reads, and a shutdown that lets accepted
 * connections finish their greeting.
 */
@ExtendWith(OutputCaptureExtension.class)
class RobustnessTests {

	private static final byte[] GREETING = (GreetingProperties.DEFAULT_GREETING + "\r\n")
		.getBytes(StandardCharsets.US_ASCII);

	@Test
	void connectionsBeyondTheLimitAreClosedAtOnceCountedAndLoggedOnce(CapturedOutput output) throws IOException {
		try (RunningServer server = RunningServer.start("greeter.server.max-connections=3",
				"greeter.server.linger=10s")) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			List<Socket> holding = new ArrayList<>();
			try {
				for (int i = 0; i < 3; i++) {
					Socket socket = server.connect();
					holding.add(socket);
					// Greeted, then held open: the server keeps draining until the client
					// closes.
					assertThat(RunningServer.readToEnd(socket.getInputStream())).isEqualTo(GREETING);
				}
				await("3 connections open").atMost(RunningServer.CLIENT_TIMEOUT)
					.until(() -> gauge(registry, "greeter.connections.active") == 3);
				for (int i = 0; i < 5; i++) {
					assertThat(server.fetch()).as("a connection over the limit gets no greeting").isEmpty();
				}
				assertThat(count(registry, "greeter.connections.rejected")).isEqualTo(5);
				assertThat(output.getAll())
					.containsOnlyOnce("1 new connection(s) closed without a greeting since the last report: 3 open, "
							+ "the limit (greeter.server.max-connections)");
			}
			finally {
				for (Socket socket : holding) {
					socket.close();
				}
			}
			await("the held connections to close").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> gauge(registry, "greeter.connections.active") == 0);
			assertThat(server.fetch()).as("served again below the limit").isEqualTo(GREETING);
			await("the last connection to close").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> count(registry, "greeter.connections.closed") == 4);
			assertThat(count(registry, "greeter.connections.opened")).isEqualTo(4);
		}
	}

	@Test
	void aBurstOverTheLimitIsReportedInFullWithinOneInterval(CapturedOutput output) throws IOException {
		try (RunningServer server = RunningServer.start("greeter.server.max-connections=1", "greeter.server.linger=30s",
				"greeter.server.report-interval=500ms"); Socket held = server.connect()) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			assertThat(RunningServer.readToEnd(held.getInputStream())).isEqualTo(GREETING);
			await("the held connection open").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> gauge(registry, "greeter.connections.active") == 1);
			for (int i = 0; i < 300; i++) {
				assertThat(server.fetch()).isEmpty();
			}
			Pattern report = Pattern
				.compile("(\\d+) new connection\\(s\\) closed without a greeting since the last report");
			await("the log to account for all 300").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> ProxyProtocolTests.reported(output.getAll(), report) == 300);
			assertThat(count(registry, "greeter.connections.rejected")).isEqualTo(300);
		}
	}

	@Test
	void clientThatNeverReadsALargeGreetingIsCutOffAfterTheWriteTimeout() throws IOException {
		String large = "x".repeat(8 * 1024 * 1024);
		try (RunningServer server = RunningServer.start("greeter.greeting=" + large, "greeter.max-greeting-size=16MB",
				"greeter.server.write-timeout=300ms"); Socket socket = new Socket()) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			socket.setReceiveBufferSize(4096);
			socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
			// The client reads nothing: the server's write blocks until the timeout cuts
			// it off. The framework publishes the close before the failed send reaches
			// the greeter: wait for both.
			await("the server to give up writing").atMost(RunningServer.CLIENT_TIMEOUT).untilAsserted(() -> {
				assertThat(count(registry, "greeter.connections.closed")).isEqualTo(1);
				assertThat(count(registry, "greeter.greetings.aborted")).isEqualTo(1);
			});
			assertThat(count(registry, "greeter.greetings.sent")).isZero();
			assertThat(count(registry, "greeter.connection.errors", "kind", "timeout")).isEqualTo(1);
		}
	}

	@Test
	void shutdownLetsAGreetingInProgressFinishAndRefusesNewConnections() throws Exception {
		// A large greeting read slowly: at shutdown the server is still writing it.
		byte[] large = "y".repeat(2 * 1024 * 1024).getBytes(StandardCharsets.US_ASCII);
		RunningServer server = RunningServer.startWithActuator(
				"greeter.greeting=" + new String(large, StandardCharsets.US_ASCII), "greeter.line-ending=none",
				"greeter.max-greeting-size=4MB");
		CompletableFuture<Void> closed = null;
		try (Socket socket = new Socket()) {
			socket.setReceiveBufferSize(4096);
			socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
			socket.setSoTimeout((int) RunningServer.CLIENT_TIMEOUT.toMillis());
			InputStream input = socket.getInputStream();
			byte[] received = new byte[large.length + 1];
			int length = input.readNBytes(received, 0, 64 * 1024);

			closed = CompletableFuture.runAsync(server::close);
			await("readiness to refuse traffic while connections drain").atMost(RunningServer.CLIENT_TIMEOUT)
				.ignoreExceptions()
				.until(() -> server.get("/health/readiness").statusCode() == 503);
			assertThatExceptionOfType(ConnectException.class).as("new connections are refused")
				.isThrownBy(server::connect);

			for (int n; (n = input.read(received, length, received.length - length)) >= 0;) {
				length += n;
			}
			assertThat(length).as("whole greeting, then end of stream").isEqualTo(large.length);
			assertThat(Arrays.equals(Arrays.copyOf(received, length), large)).isTrue();
		}
		closed.get(RunningServer.CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
	}

}
