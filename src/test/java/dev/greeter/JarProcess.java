package dev.greeter;

import java.io.IOException;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar run as a process of its own, on 127.0.0.1 and free ports, for tests
 * that need what only a process has: its own descriptor limit, heap, signals and exit
 * status. Stopped by its PID when closed.
 */
public final class JarProcess implements AutoCloseable {

	public static final Duration STARTUP = Duration.ofSeconds(60);

	private static final Pattern LISTENING = Pattern.compile("Greeting server listening on port (\\d+)");

	private static final Pattern ACTUATOR = Pattern.compile("Tomcat started on port (\\d+)");

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final Process process;

	private final Path log;

	private JarProcess(Process process, Path log) {
		this.process = process;
		this.log = log;
	}

	/**
	 * Start the jar.
	 * @param log where its output goes
	 * @param shellPrefix shell commands run before {@code exec java} (a {@code ulimit},
	 * say), or empty
	 * @param jvmOptions options for the JVM
	 * @param arguments application arguments, {@code --name=value}
	 * @return the process, started but not necessarily listening yet
	 * @throws IOException if it cannot be started
	 */
	public static JarProcess start(Path log, String shellPrefix, List<String> jvmOptions, String... arguments)
			throws IOException {
		String java = ProcessHandle.current().info().command().orElse("java");
		List<String> command = new ArrayList<>(List.of(java));
		command.addAll(jvmOptions);
		command.addAll(List.of("-jar", Path.of("target", "tcp-greeter.jar").toString(),
				"--greeter.server.address=127.0.0.1", "--greeter.server.port=0", "--server.address=127.0.0.1",
				"--server.port=0", "--spring.main.banner-mode=off"));
		command.addAll(List.of(arguments));
		List<String> launch = command;
		if (!shellPrefix.isEmpty()) {
			StringBuilder script = new StringBuilder(shellPrefix).append(" && exec");
			for (String part : command) {
				script.append(" '").append(part.replace("'", "'\\''")).append('\'');
			}
			launch = List.of("bash", "-c", script.toString());
		}
		Process process = new ProcessBuilder(launch).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		return new JarProcess(process, log);
	}

	/**
	 * Wait until the greeting server and the actuator both listen.
	 * @return this
	 */
	public JarProcess awaitListening() {
		await("the jar to listen").atMost(STARTUP)
			.until(() -> (LISTENING.matcher(log()).find() && ACTUATOR.matcher(log()).find())
					|| !this.process.isAlive());
		assertThat(this.process.isAlive()).as("still running:%n%s", log()).isTrue();
		return this;
	}

	public long pid() {
		return this.process.pid();
	}

	public Process process() {
		return this.process;
	}

	public int port() {
		return group(LISTENING);
	}

	public int actuatorPort() {
		return group(ACTUATOR);
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
		try {
			return Files.exists(this.log) ? Files.readString(this.log) : "";
		}
		catch (IOException ex) {
			return "(unreadable: " + ex + ")";
		}
	}

	private int group(Pattern pattern) {
		Matcher matcher = pattern.matcher(log());
		assertThat(matcher.find()).as("%s in:%n%s", pattern, log()).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(10, TimeUnit.SECONDS);
	}

}
