package dev.greeter.server;

import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.RunningServer;
import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The two ways readiness goes to 503 while greetings go on, for balancers that
 * health-check readiness: the maintenance file, and the shutdown delay after SIGTERM.
 */
@ExtendWith(OutputCaptureExtension.class)
class ReadinessSwitchTests {

	private static final byte[] GREETING = (GreetingProperties.DEFAULT_GREETING + "\r\n")
		.getBytes(StandardCharsets.US_ASCII);

	@TempDir
	Path directory;

	@Test
	void whileTheMaintenanceFileExistsReadinessIsOutOfServiceAndGreetingsGoOn(CapturedOutput output) throws Exception {
		Path file = this.directory.resolve("maintenance");
		try (RunningServer server = RunningServer.startWithActuator("greeter.server.maintenance-file=" + file)) {
			assertThat(server.get("/health/readiness").statusCode()).isEqualTo(200);
			Files.createFile(file);
			await("readiness out of service").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> server.get("/health/readiness").statusCode() == 503);
			HttpResponse<String> readiness = server.get("/health/readiness");
			assertThat(readiness.body()).contains("\"maintenance\":{\"status\":\"OUT_OF_SERVICE\"}")
				.contains("\"status\":\"OUT_OF_SERVICE\"");
			assertThat(server.get("/health/liveness").statusCode()).as("alive all the same").isEqualTo(200);
			assertThat(server.fetch()).as("greetings go on").isEqualTo(GREETING);

			Files.delete(file);
			await("readiness back").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> server.get("/health/readiness").statusCode() == 200);
			assertThat(output.getAll())
				.containsOnlyOnce("Maintenance file " + file + " exists: readiness is "
						+ "OUT_OF_SERVICE until it is removed; greetings go on")
				.containsOnlyOnce("Maintenance file " + file + " removed: readiness is back");
		}
	}

	@Test
	void anInstanceStartedInMaintenanceIsNeverReady() throws Exception {
		Path file = Files.createFile(this.directory.resolve("maintenance"));
		try (RunningServer server = RunningServer.startWithActuator("greeter.server.maintenance-file=" + file)) {
			assertThat(server.get("/health/readiness").statusCode()).isEqualTo(503);
		}
	}

	@Test
	void duringTheShutdownDelayReadinessIs503AndNewClientsAreStillGreeted(CapturedOutput output) throws Exception {
		RunningServer server = RunningServer.startWithActuator("greeter.server.shutdown-delay=3s");
		int port = server.port();
		CompletableFuture<Void> closed = CompletableFuture.runAsync(server::close);
		await("readiness 503").atMost(RunningServer.CLIENT_TIMEOUT)
			.ignoreExceptions()
			.until(() -> server.get("/health/readiness").statusCode() == 503);
		assertThat(server.fetch()).as("a client that comes during the delay").isEqualTo(GREETING);
		assertThat(closed).as("still delaying").isNotDone();
		closed.get(RunningServer.CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		assertThat(output.getAll()).contains("greeting on for 3000 ms (greeter.server.shutdown-delay)");
		assertThatExceptionOfType(ConnectException.class).as("refused once drained")
			.isThrownBy(() -> new Socket("127.0.0.1", port).close());
	}

}
