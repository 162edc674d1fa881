package dev.greeter.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.JarProcess;
import dev.greeter.Ports;
import dev.greeter.QuietTestOutput;
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

	@TempDir
	Path directory;

	private final List<JarProcess> processes = new ArrayList<>();

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
		for (JarProcess process : this.processes) {
			process.close();
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
		int[] a = { Ports.free(), Ports.free() };
		int[] b = { Ports.free(), Ports.free() };
		int proxy = Ports.free();
		String delay = choreography ? "1s" : "0s";
		JarProcess first = server("a", a, delay);
		server("b", b, delay).awaitListening();
		first.awaitListening();
		this.haproxy = Haproxy.balancing(this.directory, proxy, "inter 100ms fall 1 rise 2", 3,
				List.of(new Haproxy.Backend("a", a[0], choreography ? a[1] : null),
						new Haproxy.Backend("b", b[0], choreography ? b[1] : null)));
		this.haproxy.awaitListening(proxy);
		Path out = this.directory.resolve("client.out");
		Path err = this.directory.resolve("client.err");
		JarProcess client = JarProcess.jar(out)
			.stderr(err)
			.client()
			.start("--greeter.client.host=127.0.0.1", "--greeter.client.port=" + proxy, "--greeter.client.duration=12s",
					"--greeter.client.rate=200", "--greeter.client.timeout=2s");
		this.processes.add(client);
		// Once the client is connecting (its first interval line), roll a: SIGTERM, wait
		// for it to end, then a new process on the same ports.
		await("the client's first interval").atMost(STARTUP)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> Files.readString(out).contains(" ok ") || !client.process().isAlive());
		Thread.sleep(1000);
		assertThat(first.sigterm(Duration.ofSeconds(30))).as("a's exit status after SIGTERM").isZero();
		server("a", a, delay).awaitListening();
		int status = client.awaitExit();
		String report = Files.readString(out) + Files.readString(err) + "exit " + status + "\n";
		// What a user would see, in the test's output.
		QuietTestOutput.console().println(report);
		return report;
	}

	private JarProcess server(String name, int[] ports, String shutdownDelay) throws IOException {
		JarProcess process = JarProcess.start(this.directory.resolve(name + "-" + this.processes.size() + ".log"), "",
				List.of(), "--greeter.server.port=" + ports[0], "--server.port=" + ports[1],
				"--greeter.greeting=hello from " + name, "--greeter.server.log-connections=false",
				"--greeter.server.shutdown-delay=" + shutdownDelay);
		this.processes.add(process);
		return process;
	}

}
