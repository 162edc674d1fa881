package dev.greeter.metrics;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.integration.ip.tcp.connection.TcpNetServerConnectionFactory;

import dev.greeter.RunningServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The actuator over real HTTP: the Prometheus scrape as Prometheus reads it, the health
 * groups that Kubernetes probes, and nothing else exposed.
 */
class ActuatorTests {

	private static RunningServer server;

	@BeforeAll
	static void start() {
		server = RunningServer.startWithActuator();
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void scrapeUsesPrometheusNamesAndExposesEveryMeter() throws Exception {
		server.fetch();
		await("the connection to be counted as closed").atMost(RunningServer.CLIENT_TIMEOUT)
			.until(() -> scrape().contains("greeter_connections_closed_total{by=\"client\",listener=\"default\"} 1.0"));
		assertThat(scrape()).contains("greeter_connections_opened_total{listener=\"default\"} 1.0")
			.contains("greeter_connections_active{listener=\"default\"} 0.0")
			.contains("greeter_greetings_sent_total{listener=\"default\"} 1.0")
			.contains("greeter_greeting_sent_bytes_total{listener=\"default\"} 30.0")
			.contains("greeter_greetings_aborted_total{listener=\"default\"} 0.0")
			.contains("greeter_connection_errors_total{kind=\"reset\",listener=\"default\"} 0.0")
			.contains("greeter_connections_closed_total{by=\"linger\",listener=\"default\"} 0.0")
			.contains("greeter_accept_errors_total{kind=\"emfile\",listener=\"default\"} 0.0")
			.contains("greeter_connection_duration_seconds_bucket{listener=\"default\",le=")
			.contains("greeter_connection_duration_seconds_count{listener=\"default\"} 1")
			.contains("greeter_server_listening{listener=\"default\"} 1.0")
			.contains("greeter_greeting_size_bytes{listener=\"default\"} 30.0")
			.containsPattern("spring_integration_send_seconds_count\\{[^}]*name=\"default.greetingSender\"[^}]*} 1")
			.doesNotContain("_bytes_bytes")
			.doesNotContain("127.0.0.1");
	}

	@Test
	void healthIncludesTheGreetingServerAndProbeGroups() throws Exception {
		HttpResponse<String> health = server.get("/health");
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(health.body(), "$.status")).isEqualTo("UP");
		assertThat(JsonPath.<String>read(health.body(), "$.components.greetingServer.status")).isEqualTo("UP");
		assertThat(server.get("/health/liveness").statusCode()).isEqualTo(200);
		HttpResponse<String> readiness = server.get("/health/readiness");
		assertThat(readiness.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(readiness.body(), "$.components.greetingServer.status")).isEqualTo("UP");
		assertThat(JsonPath.<String>read(readiness.body(), "$.components.greetingServer.components.default.status"))
			.isEqualTo("UP");
	}

	@Test
	void infoShowsTheBuildAndTheGreetingAndNothingOfTheRuntime() throws Exception {
		HttpResponse<String> info = server.get("/info");
		assertThat(info.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(info.body(), "$.build.artifact")).isEqualTo("tcp-greeter");
		assertThat(JsonPath.<String>read(info.body(), "$.greeting.mode")).isEqualTo("greeting");
		Map<String, Object> sections = JsonPath.read(info.body(), "$");
		assertThat(sections.keySet()).as("no java, os or process section for anyone who reaches the port")
			.containsOnly("build", "greeting", "ssl");
	}

	@ParameterizedTest
	@ValueSource(strings = { "/env", "/sbom", "/heapdump", "/shutdown", "/beans", "/metrics", "/configprops",
			"/loggers", "/threaddump", "/integrationgraph", "/mappings" })
	void nothingElseIsExposed(String path) throws Exception {
		assertThat(server.get(path).statusCode()).isEqualTo(404);
	}

	@Test
	void healthAndReadinessGoDownWhenTheServerStopsListening() throws Exception {
		try (RunningServer stopping = RunningServer.startWithActuator()) {
			stopping.context().getBean(TcpNetServerConnectionFactory.class).stop();
			HttpResponse<String> health = stopping.get("/health");
			assertThat(health.statusCode()).isEqualTo(503);
			assertThat(JsonPath.<String>read(health.body(), "$.components.greetingServer.status")).isEqualTo("DOWN");
			assertThat(stopping.get("/health/readiness").statusCode()).isEqualTo(503);
			assertThat(stopping.get("/prometheus").body())
				.contains("greeter_server_listening{listener=\"default\"} 0.0");
		}
	}

	private static String scrape() throws IOException, InterruptedException {
		HttpResponse<String> response = server.get("/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

}
