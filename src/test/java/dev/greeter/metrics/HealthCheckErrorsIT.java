package dev.greeter.metrics;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.RunningServer;
import dev.greeter.deploy.Tools;

import static dev.greeter.Meters.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ordinary clients are not errors: a real HAProxy health-checking the greeting port with
 * {@code tcp-check} (it reads the greeting, then closes with a reset), and a person's
 * {@code nc} that stays connected until the linger ends. Before, 6 of 10 checks counted
 * as resets and the error-ratio alert fired on health checks alone.
 */
class HealthCheckErrorsIT {

	private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

	private static final String GREETING = "Hello World! This is Bhushan\r\n";

	@TempDir
	Path directory;

	private Process haproxy;

	@AfterEach
	void stopHaproxy() throws Exception {
		if (this.haproxy != null) {
			this.haproxy.destroy();
			if (!this.haproxy.waitFor(10, TimeUnit.SECONDS)) {
				this.haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void haproxyTcpCheckAndAClientThatStaysConnectedAreNotErrors() throws Exception {
		boolean installed = Files.isExecutable(HAPROXY) || Tools.onPath("haproxy");
		Tools.require(installed, "haproxy", "apt-get update && apt-get install -y --no-install-recommends haproxy");
		try (RunningServer server = RunningServer.start("greeter.server.linger=300ms")) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			Path config = Files.writeString(this.directory.resolve("haproxy.cfg"), """
					defaults
					  mode tcp
					  timeout connect 5s
					  timeout client 30s
					  timeout server 30s
					  timeout check 2s
					frontend greeting
					  bind 127.0.0.1:%d
					  default_backend greeters
					backend greeters
					  option tcp-check
					  tcp-check connect
					  tcp-check expect string Hello
					  server greeter 127.0.0.1:%d check inter 100ms
					""".formatted(freePort(), server.port()));
			String binary = Files.isExecutable(HAPROXY) ? HAPROXY.toString() : "haproxy";
			this.haproxy = new ProcessBuilder(binary, "-db", "-f", config.toString()).redirectErrorStream(true)
				.redirectOutput(this.directory.resolve("haproxy.log").toFile())
				.start();
			await("20 health checks").atMost(Duration.ofSeconds(60))
				.until(() -> count(registry, "greeter.connections.closed") >= 20);

			// nc without -q: reads the greeting, then waits for its own input.
			try (Socket person = server.connect()) {
				byte[] greeting = new byte[GREETING.length()];
				new DataInputStream(person.getInputStream()).readFully(greeting);
				assertThat(greeting).asString(StandardCharsets.US_ASCII).isEqualTo(GREETING);
				await("the linger to end the silent client").atMost(RunningServer.CLIENT_TIMEOUT)
					.until(() -> count(registry, "greeter.connections.closed", "by", "linger") == 1);
			}

			this.haproxy.destroy();
			this.haproxy.waitFor(10, TimeUnit.SECONDS);
			await("every open connection closed").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> count(registry, "greeter.connections.closed") == count(registry,
						"greeter.connections.opened"));
			assertThat(count(registry, "greeter.connection.errors")).as("errors").isZero();
			assertThat(count(registry, "greeter.greetings.aborted")).isZero();
			assertThat(count(registry, "greeter.connections.closed", "by", "client")
					+ count(registry, "greeter.connections.closed", "by", "client_reset"))
				.as("health checks, closed by HAProxy")
				.isGreaterThanOrEqualTo(20);
			assertThat(Files.readString(this.directory.resolve("haproxy.log"))).doesNotContain("is DOWN");
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
