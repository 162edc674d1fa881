package dev.greeter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar, run as a user runs it ({@code java -jar target/tcp-greeter.jar}) in a
 * process of its own: it greets over TCP, stops cleanly on SIGTERM, and exits non-zero
 * when its port is taken.
 */
class GreeterJarIT {

	@TempDir
	Path temp;

	@Test
	void jarGreetsOverTcpAndStopsCleanlyOnSigterm() throws Exception {
		try (JarProcess server = JarProcess.start(this.temp.resolve("server.log"), "", List.of(),
				"--greeter.greeting=Hello from the jar")) {
			assertThat(server.fetch()).isEqualTo("Hello from the jar\r\n");
			// SIGTERM, as docker stop and kubelet send
			assertThat(server.sigterm(Duration.ofSeconds(30))).as("exit status after SIGTERM").isZero();
			assertThat(server.log()).doesNotContain(" ERROR ").doesNotContain("\tat ");
		}
	}

	@Test
	void greetingFromTheEnvironmentShowsThePodAsKubernetesDescribesIt() throws Exception {
		// As a Deployment sets it: the greeting in an environment variable, the pod's
		// names from the downward API, HOSTNAME from the container runtime.
		try (JarProcess server = JarProcess.jar(this.temp.resolve("pod.log"))
			.env(Map.of("GREETER_GREETING",
					"Hello from ${hostname} (${env.POD_NAMESPACE}/${env.POD_NAME} on ${env.NODE_NAME}) to ${client.address}",
					"HOSTNAME", "greeter-7f9c6-x2x8q", "POD_NAME", "greeter-7f9c6-x2x8q", "POD_NAMESPACE", "edge",
					"NODE_NAME", "node-3"))
			.start()) {
			assertThat(server.fetch())
				.isEqualTo("Hello from greeter-7f9c6-x2x8q (edge/greeter-7f9c6-x2x8q on node-3) to 127.0.0.1\r\n");
		}
	}

	@Test
	void jarExitsNonZeroWithOneClearReportWhenItsPortIsTaken() throws Exception {
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				JarProcess server = JarProcess.start(this.temp.resolve("busy.log"), "", List.of(),
						"--greeter.server.port=" + taken.getLocalPort())) {
			assertThat(server.awaitExit()).isEqualTo(1);
			assertThat(server.log()).contains("APPLICATION FAILED TO START")
				.contains("The greeting server could not listen on port " + taken.getLocalPort())
				.doesNotContain("\tat ");
		}
	}

	@Test
	void clientProfilePrintsOnlyTheGreetingAndExitsZero() throws Exception {
		try (RunningServer server = RunningServer.start("greeter.greeting=Hello from the IT")) {
			Path out = this.temp.resolve("client.out");
			Path err = this.temp.resolve("client.err");
			try (JarProcess client = startClient(out, err, "--greeter.client.port=" + server.port())) {
				assertThat(client.awaitExit()).as(JarProcess.read(err)).isZero();
				assertThat(JarProcess.read(out)).isEqualTo("Hello from the IT\n");
				assertThat(JarProcess.read(err)).isEmpty();
			}
		}
	}

	@Test
	void clientProfileExitsThreeWithOneLineWhenNothingListens() throws Exception {
		int port = Ports.free();
		Path out = this.temp.resolve("client.out");
		Path err = this.temp.resolve("client.err");
		try (JarProcess client = startClient(out, err, "--greeter.client.port=" + port)) {
			assertThat(client.awaitExit()).isEqualTo(3);
			assertThat(JarProcess.read(out)).isEmpty();
			assertThat(JarProcess.read(err))
				.isEqualTo("tcp-greeter: cannot connect to 127.0.0.1:" + port + ": Connection refused\n");
		}
	}

	private static JarProcess startClient(Path out, Path err, String... arguments) throws IOException {
		List<String> all = new ArrayList<>(List.of("--greeter.client.host=127.0.0.1"));
		all.addAll(List.of(arguments));
		return JarProcess.jar(out).stderr(err).client().start(all.toArray(String[]::new));
	}

}
