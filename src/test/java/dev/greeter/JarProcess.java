package dev.greeter;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar run as a process of its own, on 127.0.0.1 and free ports, for tests
 * that need what only a process has: its own descriptor limit, heap, signals and exit
 * status. The one way tests start the jar: its ports are read from the port file it
 * writes when ready ({@code greeter.server.port-file}), never from its log. Stopped by
 * its PID when closed.
 */
public final class JarProcess implements AutoCloseable {

	public static final Duration STARTUP = Duration.ofSeconds(60);

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private static final Map<String, String> SERVER_DEFAULTS = Map.of("greeter.server.address", "127.0.0.1",
			"greeter.server.port", "0", "server.address", "127.0.0.1", "server.port", "0", "spring.main.banner-mode",
			"off");

	private final Process process;

	private final Path log;

	private final Path portFile;

	private @Nullable Properties ports;

	private JarProcess(Process process, Path log, Path portFile) {
		this.process = process;
		this.log = log;
		this.portFile = portFile;
	}

	/**
	 * Start the jar as a server, its output (both streams) to a log.
	 * @param log where its output goes
	 * @param shellPrefix shell commands run before {@code exec java} (a {@code ulimit},
	 * say), or empty
	 * @param jvmOptions options for the JVM
	 * @param arguments application arguments, {@code --name=value}; they win over the
	 * defaults (127.0.0.1, port 0, no banner)
	 * @return the process, started but not necessarily listening yet
	 * @throws IOException if it cannot be started
	 */
	public static JarProcess start(Path log, String shellPrefix, List<String> jvmOptions, String... arguments)
			throws IOException {
		return jar(log).shell(shellPrefix).jvm(jvmOptions).start(arguments);
	}

	/**
	 * A launch of the jar, to set up before {@link Launch#start}.
	 * @param log where its standard output goes (and standard error, unless
	 * {@link Launch#stderr} says otherwise)
	 * @return the launch
	 */
	public static Launch jar(Path log) {
		return new Launch(log);
	}

	/**
	 * Wait until the server is ready: its port file is there.
	 * @return this
	 */
	public JarProcess awaitListening() {
		await("the jar to be ready (its port file " + this.portFile + ")").atMost(STARTUP)
			.until(() -> Files.exists(this.portFile) || !this.process.isAlive());
		assertThat(this.process.isAlive()).as("still running:%n%s", log()).isTrue();
		return this;
	}

	public long pid() {
		return this.process.pid();
	}

	public Process process() {
		return this.process;
	}

	/**
	 * Send SIGTERM and wait for the exit.
	 * @param timeout how long to wait
	 * @return the exit status
	 * @throws InterruptedException if interrupted
	 */
	public int sigterm(Duration timeout) throws InterruptedException {
		this.process.destroy();
		assertThat(this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("exited within %s", timeout)
			.isTrue();
		return this.process.exitValue();
	}

	/**
	 * Wait for the process to end by itself.
	 * @return the exit status
	 * @throws InterruptedException if interrupted
	 */
	public int awaitExit() throws InterruptedException {
		assertThat(this.process.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)).as("exited:%n%s", log()).isTrue();
		return this.process.exitValue();
	}

	/**
	 * The greeting port of the default listener.
	 * @return the port
	 */
	public int port() {
		return port("default");
	}

	/**
	 * A listener's port.
	 * @param listener the listener's name
	 * @return the port it bound
	 */
	public int port(String listener) {
		return portProperty("local.greeter.listener." + listener + ".port");
	}

	public int actuatorPort() {
		return portProperty("local.server.port");
	}

	private int portProperty(String name) {
		if (this.ports == null) {
			awaitListening();
			Properties read = new Properties();
			try (Reader reader = Files.newBufferedReader(this.portFile)) {
				read.load(reader);
			}
			catch (IOException ex) {
				throw new IllegalStateException("port file " + this.portFile + " unreadable", ex);
			}
			this.ports = read;
		}
		String value = this.ports.getProperty(name);
		assertThat(value).as("%s in the port file %s", name, this.ports).isNotNull();
		return Integer.parseInt(value);
	}

	public Socket connect() throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port()), 5_000);
		socket.setSoTimeout(10_000);
		return socket;
	}

	/**
	 * Connect and read to the end.
	 * @return what the server sent
	 * @throws IOException on a connection error
	 */
	public String fetch() throws IOException {
		try (Socket socket = connect()) {
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	public HttpResponse<String> get(String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + actuatorPort() + "/actuator" + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * A series' value in the actuator's scrape, summed over its samples.
	 * @param series as {@link Meters#scraped}
	 * @return the value
	 * @throws Exception on a connection error
	 */
	public double scraped(String series) throws Exception {
		return Meters.scraped(get("/prometheus").body(), series);
	}

	public String log() {
		return read(this.log);
	}

	/**
	 * What a process has written to a file so far: its log, or a stream redirected there.
	 * @param file the file
	 * @return its content, empty before the file is there
	 */
	public static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file) : "";
		}
		catch (IOException ex) {
			return "(unreadable: " + ex + ")";
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(10, TimeUnit.SECONDS);
	}

	/**
	 * How the jar is to be started.
	 */
	public static final class Launch {

		private final Path log;

		private String shellPrefix = "";

		private List<String> jvmOptions = List.of();

		private final Map<String, String> environment = new HashMap<>();

		private @Nullable Path stderr;

		private boolean client;

		private Launch(Path log) {
			this.log = log;
		}

		public Launch shell(String prefix) {
			this.shellPrefix = prefix;
			return this;
		}

		public Launch jvm(List<String> options) {
			this.jvmOptions = List.copyOf(options);
			return this;
		}

		public Launch env(Map<String, String> variables) {
			this.environment.putAll(variables);
			return this;
		}

		/**
		 * Standard error to a file of its own.
		 * @param file the file
		 * @return this
		 */
		public Launch stderr(Path file) {
			this.stderr = file;
			return this;
		}

		/**
		 * The client profile, with none of the server's defaults.
		 * @return this
		 */
		public Launch client() {
			this.client = true;
			return this;
		}

		public JarProcess start(String... arguments) throws IOException {
			String java = ProcessHandle.current().info().command().orElse("java");
			List<String> command = new ArrayList<>(List.of(java));
			command.addAll(this.jvmOptions);
			if (this.jvmOptions.stream().noneMatch((option) -> option.startsWith("-Djava.io.tmpdir="))) {
				// Tomcat's folders beside the log, in the test's own folder: a process
				// killed by its test never deletes them, and /tmp filled with hundreds.
				command.add("-Djava.io.tmpdir=" + this.log.toAbsolutePath().getParent());
			}
			command.addAll(List.of("-jar", Path.of("target", "tcp-greeter.jar").toString()));
			Path portFile = this.log.resolveSibling(this.log.getFileName() + ".ports");
			if (this.client) {
				command.add("--spring.profiles.active=client");
			}
			else {
				Map<String, String> defaults = new HashMap<>(SERVER_DEFAULTS);
				defaults.put("greeter.server.port-file", portFile.toString());
				defaults.forEach((name, value) -> {
					if (List.of(arguments).stream().noneMatch((argument) -> argument.startsWith("--" + name + "="))) {
						command.add("--" + name + "=" + value);
					}
				});
			}
			command.addAll(List.of(arguments));
			List<String> launch = command;
			if (!this.shellPrefix.isEmpty()) {
				StringBuilder script = new StringBuilder(this.shellPrefix).append(" && exec");
				for (String part : command) {
					script.append(" '").append(part.replace("'", "'\\''")).append('\'');
				}
				launch = List.of("bash", "-c", script.toString());
			}
			ProcessBuilder builder = new ProcessBuilder(launch).redirectOutput(this.log.toFile());
			if (this.stderr != null) {
				builder.redirectError(this.stderr.toFile());
			}
			else {
				builder.redirectErrorStream(true);
			}
			builder.environment().putAll(this.environment);
			return new JarProcess(builder.start(), this.log, portFile);
		}

	}

}
