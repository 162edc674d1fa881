package dev.greeter.greeting;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.greeter.RunningServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every template variable, as a client on a real connection sees it.
 */
class TemplateGreetingTests {

	@Test
	void clientAddressAndPortAreThoseOfTheConnection() throws IOException {
		try (RunningServer server = RunningServer.start("greeter.greeting=You are ${client.address}:${client.port}");
				Socket socket = server.connect()) {
			assertThat(read(socket)).isEqualTo("You are 127.0.0.1:" + socket.getLocalPort() + "\r\n");
		}
	}

	@Test
	void serverPortIsTheGreetingPortNotTheHttpPort() throws IOException {
		// Spring would resolve ${server.port} to the actuator's port (0 here) if the
		// greeting were bound like other properties.
		try (RunningServer server = RunningServer.startWithActuator("greeter.greeting=port ${server.port}")) {
			assertThat(new String(server.fetch(), StandardCharsets.UTF_8)).isEqualTo("port " + server.port() + "\r\n");
		}
	}

	@Test
	void connectionCountIsTheSequenceNumberOfEachConnection() throws IOException {
		try (RunningServer server = RunningServer.start("greeter.greeting=#${connection.count}")) {
			for (int i = 1; i <= 3; i++) {
				assertThat(new String(server.fetch(), StandardCharsets.UTF_8)).isEqualTo("#" + i + "\r\n");
			}
		}
	}

	@Test
	void timeIsTheMomentOfTheConnectionInUtc() throws IOException {
		try (RunningServer server = RunningServer.start("greeter.greeting=${time}", "greeter.line-ending=none")) {
			Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
			String greeting = new String(server.fetch(), StandardCharsets.UTF_8);
			Instant after = Instant.now();
			assertThat(greeting).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
			assertThat(Instant.parse(greeting)).isBetween(before, after);
		}
	}

	@Test
	void hostnameIsThisHostsName() throws Exception {
		try (RunningServer server = RunningServer.start("greeter.greeting=from ${hostname}")) {
			assertThat(new String(server.fetch(), StandardCharsets.UTF_8)).isEqualTo("from " + hostname() + "\r\n");
		}
	}

	@Test
	void allowedEnvironmentVariableIsShown() throws IOException {
		String home = System.getenv("HOME");
		assertThat(home).as("HOME in the test's environment").isNotBlank();
		try (RunningServer server = RunningServer.start("greeter.greeting=home=${env.HOME}",
				"greeter.allowed-env=HOME")) {
			assertThat(new String(server.fetch(), StandardCharsets.UTF_8)).isEqualTo("home=" + home + "\r\n");
		}
	}

	@Test
	void literalTextAroundVariablesIsUtf8() throws IOException {
		try (RunningServer server = RunningServer.start("greeter.greeting=Grüße ${client.address} 👋 $${literal}");
				Socket socket = server.connect()) {
			assertThat(read(socket)).isEqualTo("Grüße 127.0.0.1 👋 ${literal}\r\n");
		}
	}

	// What the `hostname` command prints, unless HOSTNAME says otherwise (as in a
	// container, where both agree).
	private static String hostname() throws Exception {
		String fromEnvironment = System.getenv("HOSTNAME");
		if (fromEnvironment != null && !fromEnvironment.isBlank()) {
			return fromEnvironment.strip();
		}
		Process process = new ProcessBuilder("hostname").redirectErrorStream(true).start();
		try {
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
			assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
			return output;
		}
		finally {
			process.destroyForcibly();
		}
	}

	private static String read(Socket socket) throws IOException {
		return new String(RunningServer.readToEnd(socket.getInputStream()), StandardCharsets.UTF_8);
	}

}
