package dev.greeter.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import static org.awaitility.Awaitility.await;

/**
 * A real HAProxy (Debian's {@code haproxy}) run with a test's configuration, in the
 * foreground, its output in a file; stopped by its PID when closed.
 */
public final class Haproxy implements AutoCloseable {

	/**
	 * The {@code defaults} section every test's configuration starts with: TCP mode, and
	 * timeouts long enough for a loaded machine.
	 */
	public static final String TCP_DEFAULTS = """
			defaults
			  mode tcp
			  timeout connect 5s
			  timeout client 30s
			  timeout server 30s
			""";

	private static final Path DEBIAN = Path.of("/usr/sbin/haproxy");

	private final Process process;

	private final Path log;

	private Haproxy(Process process, Path log) {
		this.process = process;
		this.log = log;
	}

	/**
	 * Skip the test, saying how to install HAProxy, when it is missing (fail it in CI).
	 */
	public static void require() {
		Tools.require(Files.isExecutable(DEBIAN) || Tools.onPath("haproxy"), "haproxy",
				"apt-get update && apt-get install -y --no-install-recommends haproxy");
	}

	/**
	 * Write the configuration and start HAProxy with it.
	 * @param directory where its configuration and its log go
	 * @param config the configuration
	 * @return the running HAProxy
	 * @throws IOException if it cannot be started
	 */
	public static Haproxy start(Path directory, String config) throws IOException {
		require();
		Path file = Files.writeString(directory.resolve("haproxy.cfg"), config);
		Path log = directory.resolve("haproxy.log");
		String binary = Files.isExecutable(DEBIAN) ? DEBIAN.toString() : "haproxy";
		Process process = new ProcessBuilder(binary, "-db", "-f", file.toString()).redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		return new Haproxy(process, log);
	}

	/**
	 * Start HAProxy as a TCP balancer in front of greeting servers, round robin; with
	 * checks, each server is health-checked on its actuator's readiness, as a cloud
	 * balancer or an {@code option httpchk} setup does.
	 * @param directory where its configuration and its log go
	 * @param front the port it listens on, on 127.0.0.1
	 * @param serverDefaults the {@code default-server} line's options (check timing)
	 * @param retries how often HAProxy retries a failed connect to a server; 0 lets every
	 * failure reach the client
	 * @param backends the servers
	 * @return the running HAProxy, not necessarily listening yet
	 * @throws IOException if it cannot be started
	 */
	public static Haproxy balancing(Path directory, int front, String serverDefaults, int retries,
			List<Backend> backends) throws IOException {
		// Shorter than TCP_DEFAULTS: a client of a rolling restart must not wait 30 s.
		StringBuilder config = new StringBuilder("""
				defaults
				  mode tcp
				  timeout connect 2s
				  timeout client 10s
				  timeout server 10s
				  retries %d
				frontend greeting
				  bind 127.0.0.1:%d
				  default_backend greeters
				backend greeters
				  balance roundrobin
				  option httpchk GET /actuator/health/readiness
				  http-check expect status 200
				  default-server %s
				""".formatted(retries, front, serverDefaults));
		for (Backend backend : backends) {
			config.append("  server ").append(backend.name()).append(" 127.0.0.1:").append(backend.port());
			if (backend.readinessPort() != null) {
				config.append(" check port ").append(backend.readinessPort());
			}
			config.append('\n');
		}
		return start(directory, config.toString());
	}

	/**
	 * Wait until HAProxy listens on a port of 127.0.0.1 (it has no event to wait for).
	 * @param port the port
	 */
	public void awaitListening(int port) {
		await("HAProxy to listen on " + port).atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.failFast("HAProxy ended", () -> !this.process.isAlive())
			.until(() -> Files.readString(Path.of("/proc/net/tcp"))
				.contains(String.format(" 0100007F:%04X 00000000:0000 0A ", port)));
	}

	/**
	 * What HAProxy printed so far.
	 * @return its output
	 * @throws IOException if it cannot be read
	 */
	public String log() throws IOException {
		return Files.exists(this.log) ? Files.readString(this.log) : "";
	}

	/**
	 * A server behind the balancer.
	 *
	 * @param name its name in HAProxy's log
	 * @param port its greeting port
	 * @param readinessPort its actuator's port, to check its readiness on; {@code null}
	 * for no checks (HAProxy then sends to it until a connect fails)
	 */
	public record Backend(String name, int port, @Nullable Integer readinessPort) {
	}

	/**
	 * SIGTERM to its PID, then a kill if it has not ended within 10 s.
	 * @throws InterruptedException if interrupted while waiting
	 */
	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

}
