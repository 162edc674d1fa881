package dev.greeter.metrics;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;

import dev.greeter.Ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) on 127.0.0.1, started
 * for a test and stopped by its PID.
 */
public final class PrometheusServer implements AutoCloseable {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final Process process;

	private final URI api;

	private final Path log;

	private PrometheusServer(Process process, int port, Path log) {
		this.process = process;
		this.api = URI.create("http://127.0.0.1:" + port + "/api/v1/");
		this.log = log;
	}

	/**
	 * Find a Prometheus tool on the PATH. Where it is missing the test is skipped with a
	 * message saying how to install it, except in CI ({@code CI=true}), where its absence
	 * fails the build.
	 * @param name {@code prometheus} or {@code promtool}
	 * @return the executable
	 */
	public static Path tool(String name) {
		Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
			.map((directory) -> Path.of(directory, name))
			.filter(Files::isExecutable)
			.findFirst();
		String install = name + " is not installed; install it with: "
				+ "apt-get update && apt-get install -y --no-install-recommends prometheus";
		if (found.isEmpty() && "true".equals(System.getenv("CI"))) {
			fail(install + " (.ci/run does this)");
		}
		assumeTrue(found.isPresent(), install);
		return found.get();
	}

	/**
	 * Start Prometheus scraping one target every second.
	 * @param directory where the configuration and the data go
	 * @param target {@code host:port} of the actuator
	 * @param ruleFiles rule files to load
	 * @return the running server
	 * @throws IOException if it cannot be started
	 */
	public static PrometheusServer scraping(Path directory, String target, Path... ruleFiles) throws IOException {
		Path binary = tool("prometheus");
		StringBuilder config = new StringBuilder("""
				global:
				  scrape_interval: 1s
				  evaluation_interval: 1s
				rule_files:
				""");
		for (Path rules : ruleFiles) {
			config.append("  - ").append(rules.toAbsolutePath()).append('\n');
		}
		config.append("""
				scrape_configs:
				  - job_name: tcp-greeter
				    metrics_path: /actuator/prometheus
				    static_configs:
				      - targets: ["%s"]
				""".formatted(target));
		Path file = Files.writeString(directory.resolve("prometheus.yml"), config);
		int port = Ports.free();
		Path log = directory.resolve("prometheus.log");
		Process process = new ProcessBuilder(binary.toString(), "--config.file=" + file,
				"--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		return new PrometheusServer(process, port, log);
	}

	/**
	 * Run an instant query.
	 * @param query PromQL
	 * @return the result vector: each element has a {@code metric} map and a
	 * {@code value} pair
	 */
	public List<Map<String, Object>> query(String query) throws IOException, InterruptedException {
		String body = get("query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
		assertThat(JsonPath.<String>read(body, "$.status")).as("status of %s: %s", query, body).isEqualTo("success");
		return JsonPath.read(body, "$.data.result");
	}

	/**
	 * The single value of a query that returns one series, or NaN when it returns none
	 * yet.
	 * @param query PromQL
	 * @return the value
	 */
	public double value(String query) throws IOException, InterruptedException {
		List<Map<String, Object>> result = query(query);
		if (result.isEmpty()) {
			return Double.NaN;
		}
		assertThat(result).as(query).hasSize(1);
		return sampleValue(result.get(0));
	}

	/**
	 * Check a scrape with {@code promtool check metrics}: parsable, and no lint note
	 * about a {@code greeter_} series. Exit 3 (lint notes only) is accepted: Micrometer's
	 * JVM and Tomcat meters always have some; 1 would be unparsable.
	 * @param scrape the scrape's text in a file
	 * @throws Exception if promtool cannot run
	 */
	public static void assertCleanScrape(Path scrape) throws Exception {
		Process check = new ProcessBuilder(tool("promtool").toString(), "check", "metrics")
			.redirectInput(scrape.toFile())
			.redirectErrorStream(true)
			.start();
		String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(check.exitValue()).as(output).isIn(0, 3);
		assertThat(output).as("lint notes about our own meters").doesNotContain("greeter_");
	}

	public static double sampleValue(Map<String, Object> sample) {
		List<?> value = (List<?>) sample.get("value");
		return Double.parseDouble(value.get(1).toString());
	}

	String get(String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(this.api.resolve(path)).timeout(Duration.ofSeconds(10)).build();
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
	}

	String log() throws IOException {
		return Files.exists(this.log) ? Files.readString(this.log) : "";
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
	}

}
