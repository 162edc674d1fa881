package dev.greeter.deploy;

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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The image, built from this source with {@code docker build} and run with
 * {@code docker run} on a real container engine (on machines without one,
 * {@code ../shared/container/with-engine.sh} provides it), with its ports published on
 * 127.0.0.1 only.
 */
class ContainerIT {

	private static final String IMAGE = "tcp-greeter:it";

	private static final String GREETING = "Hello from the container";

	private static final String VERSION = "0.1.0-SNAPSHOT";

	// Build arguments as a release pipeline passes them.
	private static final String REVISION = "0123456789abcdef0123456789abcdef01234567";

	private static final String CREATED = "2026-12-01T00:00:00Z";

	private static final String SOURCE = "https://example.org/tcp-greeter.git";

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final String NAME = "tcp-greeter-it-" + UUID.randomUUID().toString().substring(0, 8);

	private static int greetingPort;

	private static int actuatorPort;

	@BeforeAll
	static void buildAndRun() throws Exception {
		boolean engine = Tools.tryRun(Duration.ofSeconds(30), "docker", "info")
			.map((result) -> result.exitCode() == 0)
			.orElse(false);
		Tools.require(engine, "A container engine (docker info)",
				"run the tests under ../shared/container/with-engine.sh, or start Docker");
		Tools.Result build = Tools.run(Duration.ofMinutes(30), "docker", "build", "--build-arg",
				"EXTRA_CA_CERTS=" + locallyTrustedCertificates(), "--build-arg", "VERSION=" + VERSION, "--build-arg",
				"REVISION=" + REVISION, "--build-arg", "CREATED=" + CREATED, "--build-arg", "SOURCE=" + SOURCE, "-t",
				IMAGE, ".");
		assertThat(build.exitCode()).as(Tools.tail(build.output())).isZero();
		Tools.Result run = Tools.run(Duration.ofMinutes(1), "docker", "run", "-d", "--name", NAME, "-p",
				"127.0.0.1::8000", "-p", "127.0.0.1::8080", "-e", "GREETER_GREETING=" + GREETING, IMAGE);
		assertThat(run.exitCode()).as(run.output()).isZero();
		greetingPort = publishedPort("8000");
		actuatorPort = publishedPort("8080");
	}

	@AfterAll
	static void remove() throws Exception {
		Tools.tryRun(Duration.ofMinutes(1), "docker", "rm", "-f", NAME);
	}

	@Test
	void containerGreetsOverTcpScrapesAndRunsAsNonRoot() throws Exception {
		awaitFirstGreeting();
		assertThat(greeting()).isEqualTo(GREETING + "\r\n");

		HttpResponse<String> scrape = get("/actuator/prometheus");
		assertThat(scrape.statusCode()).isEqualTo(200);
		assertThat(scrape.body()).containsPattern("(?m)^greeter_greetings_sent_total\\{listener=\"default\"} [1-9]");

		// The image's HEALTHCHECK command, run in the container as the engine would run
		// it.
		List<String> healthcheck = dockerfileHealthcheck();
		String imageHealthcheck = Tools
			.run(Duration.ofMinutes(1), "docker", "inspect", "--format", "{{json .Config.Healthcheck}}", IMAGE)
			.output()
			.strip();
		if (imageHealthcheck.startsWith("{")) {
			// Docker shows the image's health check; podman's Docker API (4.3) does not,
			// though it keeps it.
			assertThat(JsonPath.<List<String>>read(imageHealthcheck, "$.Test")).isEqualTo(healthcheck);
		}
		List<String> exec = new ArrayList<>(List.of("docker", "exec", NAME));
		exec.addAll(healthcheck.subList(1, healthcheck.size()));
		Tools.Result health = Tools.run(Duration.ofMinutes(1), exec.toArray(String[]::new));
		assertThat(health.exitCode()).as(health.output()).isZero();

		assertThat(inspect("{{.Config.User}}", IMAGE)).isEqualTo("10001:10001");
		Tools.Result id = Tools.run(Duration.ofMinutes(1), "docker", "exec", NAME, "id", "-u");
		assertThat(id.output().strip()).isEqualTo("10001");
	}

	@Test
	void withNoMemoryLimitTheHeapIsBoundedAndASmallerLimitIsFollowed() throws Exception {
		awaitFirstGreeting();
		// The container runs with no memory limit, on a machine with gigabytes: the heap
		// the JVM reports is the image's cap, not a share of the machine.
		String scrape = get("/actuator/prometheus").body();
		double heapMax = scrape.lines()
			.filter((line) -> line.startsWith("jvm_memory_max_bytes{area=\"heap\""))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
		assertThat(heapMax).as("the heap's maximum, bytes, with no container limit")
			.isBetween(32.0 * 1024 * 1024, 64.0 * 1024 * 1024);
		// Under a limit smaller than twice the cap, the heap is half the limit: the
		// image's own JVM options, as its ENTRYPOINT gives them, asked for the heap they
		// size.
		List<String> options = dockerfileEntrypointOptions();
		for (String limit : List.of("96m", "")) {
			List<String> command = new ArrayList<>(List.of("docker", "run", "--rm"));
			if (!limit.isEmpty()) {
				command.add("--memory=" + limit);
			}
			command.addAll(List.of("--entrypoint", "java", IMAGE));
			command.addAll(options);
			command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
			Tools.Result flags = Tools.run(Duration.ofMinutes(1), command.toArray(String[]::new));
			assertThat(flags.exitCode()).as(flags.output()).isZero();
			long maxHeap = flags.output()
				.lines()
				.filter((line) -> line.matches("\\s*size_t MaxHeapSize\\s.*"))
				.mapToLong((line) -> Long.parseLong(line.trim().split("\\s+")[3]))
				.findFirst()
				.orElseThrow();
			assertThat(maxHeap).as("MaxHeapSize with --memory=%s", limit)
				.isEqualTo(limit.isEmpty() ? 64L * 1024 * 1024 : 48L * 1024 * 1024);
		}
	}

	@Test
	void theImageSaysWhereItCameFromAndCarriesItsSbom() throws Exception {
		assertThat(inspect("{{index .Config.Labels \"org.opencontainers.image.version\"}}", IMAGE)).isEqualTo(VERSION);
		assertThat(inspect("{{index .Config.Labels \"org.opencontainers.image.revision\"}}", IMAGE))
			.isEqualTo(REVISION);
		assertThat(inspect("{{index .Config.Labels \"org.opencontainers.image.created\"}}", IMAGE)).isEqualTo(CREATED);
		assertThat(inspect("{{index .Config.Labels \"org.opencontainers.image.source\"}}", IMAGE)).isEqualTo(SOURCE);
		// A container of its own: the other tests stop theirs.
		Tools.Result sbom = Tools.run(Duration.ofMinutes(1), "docker", "run", "--rm", "--entrypoint", "cat", IMAGE,
				"/app/sbom/application.cdx.json");
		assertThat(sbom.exitCode()).as(sbom.output()).isZero();
		assertThat(JsonPath.<String>read(sbom.output(), "$.bomFormat")).isEqualTo("CycloneDX");
		assertThat(JsonPath.<List<String>>read(sbom.output(), "$.components[*].name"))
			.contains("spring-integration-ip");
		// The runtime trusts public roots only: a CA the build trusted (a proxy's) stays
		// in the build.
		Tools.Result trust = Tools.run(Duration.ofMinutes(1), "docker", "run", "--rm", "--entrypoint", "keytool", IMAGE,
				"-list", "-cacerts", "-storepass", "changeit");
		assertThat(trust.exitCode()).as(trust.output()).isZero();
		assertThat(trust.output()).contains("trustedCertEntry").doesNotContain("extra-ca");
	}

	@Test
	void dockerStopEndsTheServerCleanlyWellInsideItsTimeout() throws Exception {
		// Runs after the other test or alone: either way the server must be up first.
		awaitFirstGreeting();
		long start = System.nanoTime();
		Tools.Result stop = Tools.run(Duration.ofMinutes(1), "docker", "stop", "-t", "30", NAME);
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(stop.exitCode()).as(stop.output()).isZero();
		assertThat(took).as("docker stop took %s", took).isLessThan(Duration.ofSeconds(15));
		assertThat(inspect("{{.State.ExitCode}}", NAME)).isEqualTo("0");
		Tools.Result logs = Tools.run(Duration.ofMinutes(1), "docker", "logs", NAME);
		assertThat(logs.output()).contains("Greeting server listening on port 8000").doesNotContain(" ERROR ");
	}

	@Test
	void greetingFileMountedLikeAConfigMapIsServedAndReloaded() throws Exception {
		// The image runs in Spring AOT mode, whose bean set is fixed at build time: the
		// file watcher must be there although the build set no greeting file.
		// Readable by the image's user, as a ConfigMap volume is (mode 0644 files).
		Path directory = Files.createTempDirectory("tcp-greeter-configmap",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
		Path file = directory.resolve("greeting.txt");
		Files.writeString(file, "Hello from ${hostname}\n");
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
		String name = NAME + "-file";
		try {
			Tools.Result run = Tools.run(Duration.ofMinutes(1), "docker", "run", "-d", "--name", name, "-p",
					"127.0.0.1::8000", "-v", directory + ":/etc/greeter:ro", "-e",
					"GREETER_GREETING_FILE=/etc/greeter/greeting.txt", "-e",
					"GREETER_GREETING_FILE_CHECK_INTERVAL=200ms", IMAGE);
			assertThat(run.exitCode()).as(run.output()).isZero();
			int port = publishedPort(name, "8000");
			String hostname = inspect("{{.Config.Hostname}}", name);
			try {
				await("the file's greeting").atMost(Duration.ofSeconds(90))
					.pollInterval(Duration.ofMillis(250))
					.ignoreExceptions()
					.until(() -> greeting(port).equals("Hello from " + hostname + "\r\n"));
			}
			catch (ConditionTimeoutException ex) {
				throw new AssertionError("No greeting; the container's log:\n"
						+ Tools.tryRun(Duration.ofMinutes(1), "docker", "logs", name)
							.map(Tools.Result::output)
							.orElse("(none)"),
						ex);
			}
			Path replacement = directory.resolve("greeting.tmp");
			Files.writeString(replacement, "Reloaded in ${hostname}\n");
			Files.setPosixFilePermissions(replacement, PosixFilePermissions.fromString("rw-r--r--"));
			Files.move(replacement, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			await("the reloaded greeting").atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(250))
				.until(() -> greeting(port).equals("Reloaded in " + hostname + "\r\n"));
			Tools.Result logs = Tools.run(Duration.ofMinutes(1), "docker", "logs", name);
			assertThat(logs.output()).contains("Greeting reloaded from /etc/greeter/greeting.txt")
				.doesNotContain(" ERROR ");
		}
		finally {
			Tools.tryRun(Duration.ofMinutes(1), "docker", "rm", "-f", name);
			FileSystemUtils.deleteRecursively(directory);
		}
	}

	/**
	 * The CA certificates this machine trusts on top of the system's (Debian's local CA
	 * folder): where HTTPS goes through an inspecting proxy, the image's build stage must
	 * trust them too to reach Maven Central. Empty elsewhere.
	 */
	static String locallyTrustedCertificates() throws IOException {
		Path local = Path.of("/usr/local/share/ca-certificates");
		if (!Files.isDirectory(local)) {
			return "";
		}
		StringBuilder certificates = new StringBuilder();
		try (Stream<Path> files = Files.list(local)) {
			for (Path file : files.filter((file) -> file.toString().endsWith(".crt")).sorted().toList()) {
				certificates.append(Files.readString(file)).append('\n');
			}
		}
		return certificates.toString();
	}

	/**
	 * The HEALTHCHECK of the Dockerfile, as the engine stores it: {@code ["CMD", ...]}.
	 */
	// The JVM options of the image's ENTRYPOINT, less the AOT cache, which belongs to the
	// application's class path.
	private static List<String> dockerfileEntrypointOptions() throws IOException {
		String dockerfile = Files.readString(Path.of("Dockerfile")).replace("\\\n", " ");
		String line = dockerfile.lines()
			.filter((candidate) -> candidate.startsWith("ENTRYPOINT "))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no ENTRYPOINT in the Dockerfile"));
		List<String> entrypoint = JsonPath.read(line.substring("ENTRYPOINT ".length()), "$");
		return entrypoint.subList(1, entrypoint.indexOf("-jar"))
			.stream()
			.filter((option) -> option.startsWith("-XX:") && !option.startsWith("-XX:AOTCache")
					|| option.startsWith("-Xm"))
			.toList();
	}

	private static List<String> dockerfileHealthcheck() throws IOException {
		String dockerfile = Files.readString(Path.of("Dockerfile")).replace("\\\n", " ");
		String line = dockerfile.lines()
			.filter((candidate) -> candidate.startsWith("HEALTHCHECK "))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no HEALTHCHECK in the Dockerfile"));
		List<String> command = new ArrayList<>(List.of("CMD"));
		command.addAll(JsonPath.<List<String>>read(line.substring(line.indexOf(" CMD ") + 5), "$"));
		return command;
	}

	private static void awaitFirstGreeting() {
		await("the container's first greeting").atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(250))
			.ignoreExceptions()
			.until(() -> greeting().equals(GREETING + "\r\n"));
	}

	private static String greeting() throws IOException {
		return greeting(greetingPort);
	}

	private static String greeting(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			socket.setSoTimeout(5000);
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + actuatorPort + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static int publishedPort(String containerPort) throws IOException {
		return publishedPort(NAME, containerPort);
	}

	private static int publishedPort(String container, String containerPort) throws IOException {
		Tools.Result port = Tools.run(Duration.ofMinutes(1), "docker", "port", container, containerPort);
		assertThat(port.exitCode()).as(port.output()).isZero();
		String first = port.output().strip().lines().findFirst().orElseThrow();
		assertThat(first).as("published on loopback only").startsWith("127.0.0.1:");
		return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
	}

	private static String inspect(String format, String target) throws IOException {
		Tools.Result inspect = Tools.run(Duration.ofMinutes(1), "docker", "inspect", "--format", format, target);
		assertThat(inspect.exitCode()).as(inspect.output()).isZero();
		return inspect.output().strip();
	}

}
