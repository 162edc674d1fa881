package dev.greeter.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (Debian's {@code haproxy}) run with a test's configuration, in the
 * foreground, its output in a file; stopped by its PID when closed.
 */
public final class Haproxy implements AutoCloseable {

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
	 * What HAProxy printed so far.
	 * @return its output
	 * @throws IOException if it cannot be read
	 */
	public String log() throws IOException {
		return Files.exists(this.log) ? Files.readString(this.log) : "";
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
