package dev.greeter.metrics;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.RunningServer;
import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * tcp-greeter scraped by a real Prometheus: exact counts through Prometheus's HTTP API,
 * the scrape checked by promtool, the alert rules loaded and unit-tested, and every
 * dashboard query answered with data.
 */
class PrometheusIT {

	private static final Path ALERTS = Path.of("deploy", "prometheus", "alerts.yml");

	private static final Path ALERT_TESTS = Path.of("deploy", "prometheus", "alerts.test.yml");

	private static final Path DASHBOARD = Path.of("deploy", "grafana", "tcp-greeter.json");

	private static final Duration SCRAPED = Duration.ofSeconds(90);

	private static final String GREETING = GreetingProperties.DEFAULT_GREETING + "\r\n";

	@TempDir
	Path temp;

	@Test
	void prometheusSeesExactCountsAndEveryDashboardQueryReturnsData() throws Exception {
		// A TCP listener and a UDP one, so that every panel has data.
		try (RunningServer app = RunningServer.startWithActuator("greeter.server.log-connections=false",
				"greeter.listeners.default.port=0", "greeter.listeners.qotd.protocol=udp");
				PrometheusServer prometheus = PrometheusServer.scraping(this.temp,
						"127.0.0.1:" + app.actuator().getPort(), ALERTS)) {
			// Connect only once Prometheus has a first sample, so that rates over the
			// window see the increase.
			await("Prometheus's first scrape").atMost(SCRAPED)
				.pollInterval(Duration.ofMillis(500))
				.failFast("Prometheus exited", () -> !prometheus.isAlive())
				.untilAsserted(() -> assertThat(prometheus.value("up{job=\"tcp-greeter\"}")).isEqualTo(1));
			int connections = 25;
			for (int i = 0; i < connections; i++) {
				assertThat(app.fetch()).asString(StandardCharsets.US_ASCII).isEqualTo(GREETING);
			}
			int qotd = app.port("qotd");
			try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
				udp.setSoTimeout(10_000);
				for (int i = 0; i < 3; i++) {
					udp.send(new DatagramPacket(new byte[0], 0, InetAddress.getLoopbackAddress(), qotd));
					DatagramPacket reply = new DatagramPacket(new byte[512], 512);
					udp.receive(reply);
					assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII))
						.isEqualTo(GREETING);
				}
			}
			await("Prometheus to scrape all %d connections".formatted(connections)).atMost(SCRAPED)
				.pollInterval(Duration.ofMillis(500))
				.failFast("Prometheus exited", () -> !prometheus.isAlive())
				.untilAsserted(() -> {
					assertThat(prometheus.value("up{job=\"tcp-greeter\"}")).isEqualTo(1);
					assertThat(prometheus.value("greeter_connections_opened_total{job=\"tcp-greeter\"}"))
						.isEqualTo(connections);
					assertThat(prometheus.value("greeter_greetings_sent_total{job=\"tcp-greeter\"}"))
						.isEqualTo(connections);
					assertThat(prometheus.value("sum(greeter_connections_closed_total{job=\"tcp-greeter\"})"))
						.isEqualTo(connections);
					assertThat(prometheus.value("greeter_connections_active{job=\"tcp-greeter\"}")).isZero();
					assertThat(prometheus.value("sum(greeter_connection_errors_total{job=\"tcp-greeter\"})")).isZero();
					assertThat(prometheus.value("greeter_datagram_replies_total{job=\"tcp-greeter\"}")).isEqualTo(3);
				});

			for (String query : dashboardQueries()) {
				await("dashboard query to return data: " + query).atMost(SCRAPED)
					.pollInterval(Duration.ofMillis(500))
					.untilAsserted(() -> {
						List<Map<String, Object>> result = prometheus.query(query);
						assertThat(result).as(query).isNotEmpty();
						assertThat(result).allSatisfy(
								(sample) -> assertThat(PrometheusServer.sampleValue(sample)).as(query).isNotNaN());
					});
			}

			String rules = prometheus.get("rules");
			assertThat(JsonPath.<List<String>>read(rules, "$.data.groups[*].rules[*].name")).containsExactlyInAnyOrder(
					"TcpGreeterDown", "TcpGreeterStalled", "TcpGreeterConnectionErrorRatioHigh",
					"TcpGreeterAcceptFailing", "TcpGreeterCertificateExpiresSoon", "TcpGreeterGreetingsAborted",
					"TcpGreeterGreetingFileRejected", "TcpGreeterDatagramsDropped", "TcpGreeterProbePathDown",
					"TcpGreeterProbeErrorRatioHigh", "TcpGreeterProbeOneInstanceLeft", "TcpGreeterProbeLongOutage");
			assertThat(JsonPath.<List<String>>read(rules, "$.data.groups[*].rules[*].health")).containsOnly("ok");
			assertThat(JsonPath.<List<String>>read(prometheus.get("alerts"), "$.data.alerts[*].labels.alertname"))
				.as("no alert fires for a healthy instance")
				.isEmpty();
		}
	}

	@Test
	void promtoolFindsNoProblemWithOurMeters() throws Exception {
		try (RunningServer app = RunningServer.startWithActuator()) {
			app.fetch();
			PrometheusServer
				.assertCleanScrape(Files.writeString(this.temp.resolve("scrape.txt"), app.get("/prometheus").body()));
		}
	}

	@Test
	void alertRulesPassTheirUnitTests() throws Exception {
		Path promtool = PrometheusServer.tool("promtool");
		assertThat(run(promtool.toString(), "check", "rules", ALERTS.toString())).contains("SUCCESS: 12 rules found");
		assertThat(run(promtool.toString(), "test", "rules", ALERT_TESTS.toString())).contains("SUCCESS");
	}

	/**
	 * Every panel query of the Grafana dashboard, with the dashboard's variables set as a
	 * user would.
	 */
	private static List<String> dashboardQueries() throws IOException {
		String dashboard = Files.readString(DASHBOARD);
		List<String> queries = new ArrayList<>();
		for (String expr : JsonPath.<List<String>>read(dashboard, "$.panels[*].targets[*].expr")) {
			queries.add(expr.replace("$__rate_interval", "1m")
				.replace("$__range", "5m")
				.replace("$job", "tcp-greeter")
				.replace("$instance", ".*")
				.replace("$listener", ".*"));
		}
		assertThat(queries).hasSizeGreaterThanOrEqualTo(6);
		return queries;
	}

	private static String run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		return output;
	}

}
