package dev.greeter.metrics;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import dev.greeter.RunningServer;
import dev.greeter.greeting.GreetingProperties;

import static dev.greeter.Meters.count;
import static dev.greeter.Meters.gauge;
import static dev.greeter.Meters.timerCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code greeter.*} meters, read from the application's own registry while real
 * clients connect over real sockets.
 */
class ConnectionMetricsTests {

	private static final String GREETING = GreetingProperties.DEFAULT_GREETING + "\r\n";

	@Test
	void freshInstanceExposesZerosNotMissingSeries() {
		try (RunningServer server = RunningServer.start()) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			assertThat(count(registry, "greeter.connections.opened")).isZero();
			assertThat(count(registry, "greeter.connections.closed")).isZero();
			assertThat(count(registry, "greeter.greetings.sent")).isZero();
			assertThat(count(registry, "greeter.greeting.sent")).isZero();
			assertThat(count(registry, "greeter.greetings.aborted")).isZero();
			for (ErrorKind kind : ErrorKind.values()) {
				assertThat(count(registry, "greeter.connection.errors", "kind", kind.tag())).isZero();
			}
			assertThat(gauge(registry, "greeter.connections.active")).isZero();
			assertThat(gauge(registry, "greeter.server.listening")).isEqualTo(1);
			assertThat(gauge(registry, "greeter.greeting.size")).isEqualTo(GREETING.length());
			assertThat(timerCount(registry, "greeter.connection.duration")).isZero();
		}
	}

	@Test
	void normalConnectionsAreCountedExactlyAndNoneIsAnError() throws IOException {
		try (RunningServer server = RunningServer.start()) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			for (int i = 0; i < 50; i++) {
				assertThat(server.fetch()).asString(StandardCharsets.US_ASCII).isEqualTo(GREETING);
			}
			try (Socket writesFirst = server.connect()) {
				writesFirst.getOutputStream().write("hello\r\n".getBytes(StandardCharsets.US_ASCII));
				RunningServer.readToEnd(writesFirst.getInputStream());
			}
			await("all 51 server connections to close").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> count(registry, "greeter.connections.closed") == 51);
			assertThat(count(registry, "greeter.connections.opened")).isEqualTo(51);
			assertThat(count(registry, "greeter.greetings.sent")).isEqualTo(51);
			assertThat(count(registry, "greeter.greeting.sent")).isEqualTo(51.0 * GREETING.length());
			assertThat(gauge(registry, "greeter.connections.active")).isZero();
			assertThat(timerCount(registry, "greeter.connection.duration")).isEqualTo(51);
			assertThat(registry.get("greeter.connection.errors").counters())
				.allSatisfy((counter) -> assertThat(counter.count()).as(counter.getId().toString()).isZero());
			assertThat(count(registry, "greeter.greetings.aborted")).isZero();
		}
	}

	@Test
	void clientThatResetsBeforeTheGreetingIsWrittenCountsAsAbortedAndReset() throws IOException {
		// A greeting far larger than the socket buffers: the server is still writing when
		// the reset comes.
		String large = "x".repeat(8 * 1024 * 1024);
		try (RunningServer server = RunningServer.start("greeter.greeting=" + large,
				"greeter.max-greeting-size=16MB")) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			try (Socket socket = new Socket()) {
				socket.setReceiveBufferSize(4096);
				socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
				socket.getInputStream().read(); // the server has started writing
				socket.setSoLinger(true, 0);
			}
			// The framework publishes the close before the failed send reaches the
			// greeter: wait for both.
			await("the aborted greeting to be counted").atMost(RunningServer.CLIENT_TIMEOUT).untilAsserted(() -> {
				assertThat(count(registry, "greeter.connections.closed")).isEqualTo(1);
				assertThat(count(registry, "greeter.greetings.aborted")).isEqualTo(1);
			});
			assertThat(count(registry, "greeter.greetings.sent")).isZero();
			assertThat(count(registry, "greeter.greeting.sent")).isZero();
			double resetsAndPipes = count(registry, "greeter.connection.errors", "kind", "reset")
					+ count(registry, "greeter.connection.errors", "kind", "broken_pipe");
			assertThat(resetsAndPipes).isEqualTo(1);
			assertThat(count(registry, "greeter.connections.closed", "by", "client_reset")).isEqualTo(1);
			assertThat(gauge(registry, "greeter.connections.active")).isZero();
		}
	}

	@Test
	void clientThatResetsAfterReadingTheWholeGreetingIsNotAnError() throws IOException {
		// What HAProxy's tcp-check does: read the greeting, then close with a reset.
		try (RunningServer server = RunningServer.start()) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			for (int i = 0; i < 10; i++) {
				try (Socket socket = server.connect()) {
					byte[] greeting = new byte[GREETING.length()];
					new DataInputStream(socket.getInputStream()).readFully(greeting);
					assertThat(greeting).asString(StandardCharsets.US_ASCII).isEqualTo(GREETING);
					socket.setSoLinger(true, 0);
				}
			}
			await("all ten to close").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> count(registry, "greeter.connections.closed") == 10);
			assertThat(count(registry, "greeter.connection.errors")).isZero();
			assertThat(count(registry, "greeter.connections.closed", "by", "client_reset")
					+ count(registry, "greeter.connections.closed", "by", "client"))
				.isEqualTo(10);
			assertThat(count(registry, "greeter.greetings.sent")).isEqualTo(10);
		}
	}

	@Test
	void clientThatStaysSilentPastTheLingerIsClosedByTheLingerNotCountedAsAnError() throws IOException {
		try (RunningServer server = RunningServer.start("greeter.server.linger=200ms");
				Socket socket = server.connect()) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			assertThat(RunningServer.readToEnd(socket.getInputStream())).asString(StandardCharsets.US_ASCII)
				.isEqualTo(GREETING);
			await("the server to give up on the silent client").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> count(registry, "greeter.connections.closed") == 1);
			// A person at nc, connected until the linger ends: normal, not an error.
			assertThat(count(registry, "greeter.connections.closed", "by", "linger")).isEqualTo(1);
			assertThat(count(registry, "greeter.connection.errors")).isZero();
			assertThat(count(registry, "greeter.greetings.sent")).isEqualTo(1);
		}
	}

	@Test
	void clientThatSentSomethingThenStaysSilentPastTheLingerIsClosedByTheLingerNotAnError() throws IOException {
		try (RunningServer server = RunningServer.start("greeter.server.linger=200ms");
				Socket socket = server.connect()) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			// The drain reads this, then waits for more that never comes: only the linger
			// ends it.
			socket.getOutputStream().write("hello\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(RunningServer.readToEnd(socket.getInputStream())).asString(StandardCharsets.US_ASCII)
				.isEqualTo(GREETING);
			await("the server to give up on the client").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> count(registry, "greeter.connections.closed") == 1);
			// A person at nc, connected until the linger ends: normal, not an error.
			assertThat(count(registry, "greeter.connections.closed", "by", "linger")).isEqualTo(1);
			assertThat(count(registry, "greeter.connection.errors")).isZero();
		}
	}

	@Test
	void clientThatKeepsSendingPastTheLingerIsClosedByTheLingerNotAnError() throws IOException {
		try (RunningServer server = RunningServer.start("greeter.server.linger=200ms");
				Socket socket = server.connect()) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			RunningServer.readToEnd(socket.getInputStream());
			OutputStream output = socket.getOutputStream();
			long deadline = System.nanoTime() + RunningServer.CLIENT_TIMEOUT.toNanos();
			try {
				while (System.nanoTime() < deadline) {
					output.write(new byte[512]);
				}
			}
			catch (IOException expected) {
				// the server cut the connection off
			}
			await("the connection to close").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> count(registry, "greeter.connections.closed") == 1);
			// A person at nc, connected until the linger ends: normal, not an error.
			assertThat(count(registry, "greeter.connections.closed", "by", "linger")).isEqualTo(1);
			assertThat(count(registry, "greeter.connection.errors")).isZero();
		}
	}

}
