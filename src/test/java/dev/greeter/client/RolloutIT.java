package dev.greeter.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.deploy.Haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client as a rollout checker, run as a user would: two tcp-greeter processes behind
 * a real HAProxy, the client watching through HAProxy at 200 connections per second while
 * one backend is rolled (SIGTERM, then a new process on its ports). With the choreography
 * (a shutdown delay, and HAProxy health-checking readiness) no connection is lost and
 * both instances answer; without it, the report shows the failures and when they
 * happened.
 */
class RolloutIT {

	private static final Duration STARTUP = Duration.ofSeconds(90);

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@TempDir
	Path directory;

	private final List<Process> processes = new ArrayList<>();

	private Haproxy haproxy;

	@BeforeEach
	void requireHaproxy() {
		Haproxy.require();
	}

	@AfterEach
	void stopAll() throws Exception {
		if (this.haproxy != null) {
			this.haproxy.close();
		}
		for (Process process : this.processes) {
			process.destroy();
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
			}
		}
	}

	@Test
	void withAShutdownDelayAndReadinessChecksARollLosesNothing() throws Exception {
		String report = roll(true);
		assertThat(report).as(report)
			.containsPattern(
					"summary: \\d+ connections to 127\\.0\\.0\\.1:\\d+ in [\\d.]+ s \\([\\d.]+/s\\): \\d+ ok, 0 failed")
			.containsPattern("\\d+ +[\\d.]+%  hello from a")
			.containsPattern("\\d+ +[\\d.]+%  hello from b")
			.doesNotContain("failed: ")
			.endsWith("exit 0\n");
	}

	@Test
	void withoutThemTheReportShowsTheFailuresAndTheirWindow() throws Exception {
		String report = roll(false);
		assertThat(report).as(report)
			.containsPattern(
					"summary: \\d+ connections to 127\\.0\\.0\\.1:\\d+ in [\\d.]+ s \\([\\d.]+/s\\): \\d+ ok, [1-9]\\d* failed")
			.containsPattern(
					"failed: [a-z_]+ \\d+.*, from \\d\\d:\\d\\d:\\d\\d\\.\\d{3} to \\d\\d:\\d\\d:\\d\\d\\.\\d{3}")
			.contains("hello from b")
			.doesNotEndWith("exit 0\n");
	}

	/**
	 * Watch through HAProxy for 12 s at 200/s, rolling backend a after 2 s.
	 * @return the client's standard output, then its exit status
	 */
	private String roll(boolean choreography) throws Exception {
		int[] a = { freePort(), freePort() };
		int[] b = { freePort(), freePort() };
		int proxy = freePort();
		String delay = choreography ? "1s" : "0s";
		Process first = server("a", a, delay);
		server("b", b, delay);
		awaitReady(first, a[1]);
		awaitReady(this.processes.get(1), b[1]);
		String check = choreography ? " check port %d" : "";
		this.haproxy = Haproxy.start(this.directory, """
				defaults
				  mode tcp
				  timeout connect 2s
				  timeout client 10s
				  timeout server 10s
				frontend greeting
				  bind 127.0.0.1:%d
				  default_backend greeters
				backend greeters
				  balance roundrobin
				  option httpchk GET /actuator/health/readiness
				  http-check expect status 200
				  default-server inter 100ms fall 1 rise 2
				  server a 127.0.0.1:%d%s
				  server b 127.0.0.1:%d%s
				""".formatted(proxy, a[0], check.formatted(a[1]), b[0], check.formatted(b[1])));
		await("HAProxy to listen").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> Files.readString(Path.of("/proc/net/tcp"))
				.contains(String.format(" 0100007F:%04X 00000000:0000 0A ", proxy)));
		Path out = this.directory.resolve("client.out");
		Process client = new ProcessBuilder(java(), "-jar", "target/tcp-greeter.jar", "--spring.profiles.active=client",
				"--greeter.client.host=127.0.0.1", "--greeter.client.port=" + proxy, "--greeter.client.duration=12s",
				"--greeter.client.rate=200", "--greeter.client.timeout=2s")
			.redirectOutput(out.toFile())
			.redirectError(this.directory.resolve("client.err").toFile())
			.start();
		this.processes.add(client);
		// Once the client is connecting (its first interval line), roll a: SIGTERM, wait
		// for it to end, then a new process on the same ports.
		await("the client's first interval").atMost(STARTUP)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> Files.readString(out).contains(" ok ") || !client.isAlive());
		Thread.sleep(1000);
		first.destroy();
		assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("a ends after SIGTERM").isTrue();
		assertThat(first.exitValue()).as("a's exit status after SIGTERM").isZero();
		Process second = server("a", a, delay);
		awaitReady(second, a[1]);
		assertThat(client.waitFor(90, TimeUnit.SECONDS)).as("the client ends").isTrue();
		String report = Files.readString(out) + Files.readString(this.directory.resolve("client.err")) + "exit "
				+ client.exitValue() + "\n";
		// What a user would see, in the test's output.
		System.out.println(report);
		return report;
	}

	private Process server(String name, int[] ports, String shutdownDelay) throws IOException {
		Process process = new ProcessBuilder(java(), "-jar", "target/tcp-greeter.jar",
				"--greeter.server.address=127.0.0.1", "--greeter.server.port=" + ports[0], "--server.address=127.0.0.1",
				"--server.port=" + ports[1], "--greeter.greeting=hello from " + name,
				"--greeter.server.log-connections=false", "--greeter.server.shutdown-delay=" + shutdownDelay,
				"--spring.main.banner-mode=off")
			.redirectErrorStream(true)
			.redirectOutput(this.directory.resolve(name + "-" + this.processes.size() + ".log").toFile())
			.start();
		this.processes.add(process);
		return process;
	}

	private static void awaitReady(Process process, int actuatorPort) {
		HttpRequest readiness = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + actuatorPort + "/actuator/health/readiness"))
			.timeout(Duration.ofSeconds(2))
			.build();
		await("a server to be ready").atMost(STARTUP)
			.pollInterval(Duration.ofMillis(100))
			.failFast("the server ended", () -> !process.isAlive())
			.ignoreExceptions()
			.until(() -> HTTP.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
	}

	private static String java() {
		return ProcessHandle.current().info().command().orElse("java");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
