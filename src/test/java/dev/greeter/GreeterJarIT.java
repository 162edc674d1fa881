package dev.greeter;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar, run as a user runs it ({@code java -jar target/tcp-greeter.jar}) in a
 * process of its own: it greets over TCP, stops cleanly on SIGTERM, and exits non-zero
 * when its port is taken.
 */
class GreeterJarIT {

	private static final Duration STARTUP = Duration.ofSeconds(60);

	private static final Pattern LISTENING = Pattern.compile("Greeting server listening on port (\\d+)");

	@TempDir
	Path temp;

	private final List<Process> processes = new ArrayList<>();

	@AfterEach
	void stopProcesses() throws InterruptedException {
		for (Process process : this.processes) {
			process.destroyForcibly();
			process.waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void jarGreetsOverTcpAndStopsCleanlyOnSigterm() throws Exception {
		Path log = this.temp.resolve("server.log");
		Process server = start(log, "--greeter.server.port=0", "--greeter.greeting=Hello from the jar");
		await("the server to log its port").atMost(STARTUP)
			.until(() -> LISTENING.matcher(read(log)).find() || !server.isAlive());
		Matcher listening = LISTENING.matcher(read(log));
		assertThat(listening.find()).as("listening line in:%n%s", read(log)).isTrue();
		int port = Integer.parseInt(listening.group(1));

		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
			socket.setSoTimeout(10_000);
			assertThat(readAll(socket.getInputStream())).isEqualTo("Hello from the jar\r\n");
		}

		server.destroy(); // SIGTERM, as docker stop and kubelet send
		assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
		assertThat(server.exitValue()).as("exit status after SIGTERM").isZero();
		assertThat(read(log)).doesNotContain(" ERROR ").doesNotContain("\tat ");
	}

	@Test
	void greetingFromTheEnvironmentShowsThePodAsKubernetesDescribesIt() throws Exception {
		// As a Deployment sets it: the greeting in an environment variable, the pod's
		// names from the downward API, HOSTNAME from the container runtime.
		Path log = this.temp.resolve("pod.log");
		Process server = start(log,
				Map.of("GREETER_GREETING",
						"Hello from ${hostname} (${env.POD_NAMESPACE}/${env.POD_NAME} on "
								+ "${env.NODE_NAME}) to ${client.address}",
						"HOSTNAME", "greeter-7f9c6-x2x8q", "POD_NAME", "greeter-7f9c6-x2x8q", "POD_NAMESPACE", "edge",
						"NODE_NAME", "node-3"),
				"--greeter.server.port=0");
		await("the server to log its port").atMost(STARTUP)
			.until(() -> LISTENING.matcher(read(log)).find() || !server.isAlive());
		Matcher listening = LISTENING.matcher(read(log));
		assertThat(listening.find()).as("listening line in:%n%s", read(log)).isTrue();
		try (Socket socket = new Socket()) {
			socket.connect(
					new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(listening.group(1))),
					10_000);
			socket.setSoTimeout(10_000);
			assertThat(readAll(socket.getInputStream()))
				.isEqualTo("Hello from greeter-7f9c6-x2x8q (edge/greeter-7f9c6-x2x8q on node-3) to 127.0.0.1\r\n");
		}
	}

	@Test
	void jarExitsNonZeroWithOneClearReportWhenItsPortIsTaken() throws Exception {
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			Path log = this.temp.resolve("busy.log");
			Process server = start(log, "--greeter.server.port=" + taken.getLocalPort());
			assertThat(server.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)).as("exited").isTrue();
			assertThat(server.exitValue()).isEqualTo(1);
			assertThat(read(log)).contains("APPLICATION FAILED TO START")
				.contains("The greeting server could not listen on port " + taken.getLocalPort())
				.doesNotContain("\tat ");
		}
	}

	@Test
	void clientProfilePrintsOnlyTheGreetingAndExitsZero() throws Exception {
		try (RunningServer server = RunningServer.start("greeter.greeting=Hello from the IT")) {
			Path out = this.temp.resolve("client.out");
			Path err = this.temp.resolve("client.err");
			Process client = startClient(out, err, "--greeter.client.port=" + server.port());
			assertThat(client.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)).as("exited").isTrue();
			assertThat(client.exitValue()).as(read(err)).isZero();
			assertThat(read(out)).isEqualTo("Hello from the IT\n");
			assertThat(read(err)).isEmpty();
		}
	}

	@Test
	void clientProfileExitsThreeWithOneLineWhenNothingListens() throws Exception {
		int port;
		try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = free.getLocalPort();
		}
		Path out = this.temp.resolve("client.out");
		Path err = this.temp.resolve("client.err");
		Process client = startClient(out, err, "--greeter.client.port=" + port);
		assertThat(client.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)).as("exited").isTrue();
		assertThat(client.exitValue()).isEqualTo(3);
		assertThat(read(out)).isEmpty();
		assertThat(read(err)).isEqualTo("tcp-greeter: cannot connect to 127.0.0.1:" + port + ": Connection refused\n");
	}

	private Process startClient(Path out, Path err, String... arguments) throws IOException {
		String java = ProcessHandle.current().info().command().orElse("java");
		List<String> command = new ArrayList<>(List.of(java, "-jar", Path.of("target", "tcp-greeter.jar").toString(),
				"--spring.profiles.active=client", "--greeter.client.host=127.0.0.1"));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
		this.processes.add(process);
		return process;
	}

	private Process start(Path log, String... arguments) throws IOException {
		return start(log, Map.of(), arguments);
	}

	private Process start(Path log, Map<String, String> environment, String... arguments) throws IOException {
		String java = ProcessHandle.current().info().command().orElse("java");
		List<String> command = new ArrayList<>(List.of(java, "-jar", Path.of("target", "tcp-greeter.jar").toString(),
				"--greeter.server.address=127.0.0.1", "--server.address=127.0.0.1", "--server.port=0",
				"--spring.main.banner-mode=off"));
		command.addAll(List.of(arguments));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
		builder.environment().putAll(environment);
		Process process = builder.start();
		this.processes.add(process);
		return process;
	}

	private static String read(Path log) throws IOException {
		return Files.exists(log) ? Files.readString(log) : "";
	}

	private static String readAll(InputStream input) throws IOException {
		return new String(input.readAllBytes(), StandardCharsets.UTF_8);
	}

}
