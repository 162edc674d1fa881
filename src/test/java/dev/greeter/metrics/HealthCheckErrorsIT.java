package dev.greeter.metrics;

import java.io.DataInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.RunningServer;
import dev.greeter.deploy.Haproxy;
import dev.greeter.Ports;
import dev.greeter.greeting.GreetingProperties;

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

	private static final String GREETING = GreetingProperties.DEFAULT_GREETING + "\r\n";

	@TempDir
	Path directory;

	private Haproxy haproxy;

	@AfterEach
	void stopHaproxy() throws Exception {
		if (this.haproxy != null) {
			this.haproxy.close();
		}
	}

	@Test
	void haproxyTcpCheckAndAClientThatStaysConnectedAreNotErrors() throws Exception {
		Haproxy.require();
		try (RunningServer server = RunningServer.start("greeter.server.linger=300ms")) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			this.haproxy = Haproxy.start(this.directory, Haproxy.TCP_DEFAULTS + """
					  timeout check 2s
					frontend greeting
					  bind 127.0.0.1:%d
					  default_backend greeters
					backend greeters
					  option tcp-check
					  tcp-check connect
					  tcp-check expect string Hello
					  server greeter 127.0.0.1:%d check inter 100ms
					""".formatted(Ports.free(), server.port()));
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

			this.haproxy.close();
			await("every open connection closed").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> count(registry, "greeter.connections.closed") == count(registry,
						"greeter.connections.opened"));
			assertThat(count(registry, "greeter.connection.errors")).as("errors").isZero();
			assertThat(count(registry, "greeter.greetings.aborted")).isZero();
			assertThat(count(registry, "greeter.connections.closed", "by", "client")
					+ count(registry, "greeter.connections.closed", "by", "client_reset"))
				.as("health checks, closed by HAProxy")
				.isGreaterThanOrEqualTo(20);
			assertThat(this.haproxy.log()).doesNotContain("is DOWN");
		}
	}

}
