package dev.greeter.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import dev.greeter.Ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code deploy/compose.yaml} run for real: {@code docker-compose up} builds the image
 * and starts it with a Prometheus that finds it by its service name and scrapes it; then
 * {@code down} leaves nothing of the project running. Host ports are chosen free for the
 * run.
 */
class ComposeIT {

	private static final String PROJECT = "greeter-compose-it";

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void composeUpScrapesTheGreeterAndDownLeavesNothingRunning() throws Exception {
		boolean engine = Tools.tryRun(Duration.ofSeconds(30), "docker", "info")
			.map((result) -> result.exitCode() == 0)
			.orElse(false);
		Tools.require(engine && Tools.onPath("docker-compose"), "A container engine with docker-compose",
				"run the tests under ../shared/container/with-engine.sh (ENGINE_STANDINS=prometheus), or start Docker");
		boolean prometheusImage = Tools
			.tryRun(Duration.ofSeconds(30), "docker", "image", "inspect", "prom/prometheus:v2.53.0")
			.map((result) -> result.exitCode() == 0)
			.orElse(false);
		Tools.require(prometheusImage, "The image prom/prometheus:v2.53.0",
				"run under ../shared/container/with-engine.sh with ENGINE_STANDINS=prometheus, or docker pull it");
		int prometheusPort = Ports.free();
		Map<String, String> environment = Map.of("GREETER_PORT", Integer.toString(Ports.free()),
				"GREETER_ACTUATOR_PORT", Integer.toString(Ports.free()), "PROMETHEUS_PORT",
				Integer.toString(prometheusPort), "EXTRA_CA_CERTS", ContainerIT.locallyTrustedCertificates());
		try {
			Tools.Result up = Tools.run(Duration.ofMinutes(30), environment, "docker-compose", "-f",
					"deploy/compose.yaml", "-p", PROJECT, "up", "-d", "--build");
			assertThat(up.exitCode()).as(Tools.tail(up.output())).isZero();
			await("Prometheus to scrape tcp-greeter by its service name").atMost(Duration.ofMinutes(2))
				.pollInterval(Duration.ofSeconds(1))
				.ignoreExceptions()
				.untilAsserted(() -> {
					List<String> up1 = JsonPath.read(query(prometheusPort, "up{job=\"tcp-greeter\"} == 1"),
							"$.data.result[*].metric.instance");
					assertThat(up1).containsExactly("tcp-greeter:8080");
					List<Object> series = JsonPath.read(query(prometheusPort, "greeter_server_listening"),
							"$.data.result[*].value[1]");
					assertThat(series).containsExactly("1");
				});
		}
		finally {
			Tools.Result down = Tools.run(Duration.ofMinutes(5), environment, "docker-compose", "-f",
					"deploy/compose.yaml", "-p", PROJECT, "down");
			assertThat(down.exitCode()).as(down.output()).isZero();
		}
		Tools.Result left = Tools.run(Duration.ofMinutes(1), "docker", "ps", "-a", "-q", "--filter",
				"label=com.docker.compose.project=" + PROJECT);
		assertThat(left.output().strip()).as("containers of the project after down").isEmpty();
	}

	private static String query(int port, String promql) throws IOException, InterruptedException {
		URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
				+ URLEncoder.encode(promql, StandardCharsets.UTF_8));
		HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return response.body();
	}

}
