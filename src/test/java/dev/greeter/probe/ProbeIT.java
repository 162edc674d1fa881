package dev.greeter.probe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.JarProcess;
import dev.greeter.Ports;
import dev.greeter.deploy.Haproxy;
import dev.greeter.metrics.PrometheusServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The probe as a user runs it: three greeters behind a real HAProxy that health-checks
 * their readiness, a probe (the jar, probe profile) aimed at HAProxy and at each backend,
 * and a real Prometheus that scrapes the probe and evaluates the alert rules of
 * {@code deploy/prometheus/alerts.yml}. One backend is stopped for a few seconds and
 * started again; then Prometheus itself answers: the shares of the three answers through
 * HAProxy, the outage of that backend with its duration, none through HAProxy, and the
 * path-down alert for the backend fired and resolved. The rules' windows are shortened
 * for the test (a minute to seconds); their logic is the file's.
 */
class ProbeIT {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@TempDir
	Path directory;

	@Test
	void prometheusSeesWhoAnsweredTheOutageOfABackendAndItsAlert() throws Exception {
		Haproxy.require();
		PrometheusServer.tool("prometheus");
		List<AutoCloseable> running = new ArrayList<>();
		try {
			Map<String, JarProcess> greeters = new TreeMap<>();
			for (String name : List.of("a", "b", "c")) {
				JarProcess greeter = greeter(name, "--greeter.server.port=0", "--server.port=0");
				running.add(greeter);
				greeters.put(name, greeter);
			}
			greeters.values().forEach(JarProcess::awaitListening);
			int front = Ports.free();
			List<Haproxy.Backend> backends = new ArrayList<>();
			greeters.forEach(
					(name, greeter) -> backends.add(new Haproxy.Backend(name, greeter.port(), greeter.actuatorPort())));
			Haproxy haproxy = Haproxy.balancing(this.directory, front, "inter 100ms fall 1 rise 2", 3, backends);
			running.add(haproxy);
			haproxy.awaitListening(front);

			int metrics = Ports.free();
			List<String> arguments = new ArrayList<>(List.of("--spring.profiles.active=probe",
					"--server.port=" + metrics, "--server.address=127.0.0.1"));
			Map<String, Integer> targets = new TreeMap<>(Map.of("lb", front));
			greeters.forEach((name, greeter) -> targets.put(name, greeter.port()));
			targets.forEach((name, port) -> arguments
				.addAll(List.of("--greeter.probe.targets." + name + ".url=tcp://127.0.0.1:" + port,
						"--greeter.probe.targets." + name + ".interval=100ms",
						"--greeter.probe.targets." + name + ".timeout=1s")));
			JarProcess probe = JarProcess.jar(this.directory.resolve("probe.log"))
				.start(arguments.toArray(String[]::new));
			running.add(probe);
			await("the probe to be ready").atMost(WAIT)
				.ignoreExceptions()
				.until(() -> status("http://127.0.0.1:" + metrics + "/actuator/health/readiness") == 200);

			Path rules = Files.writeString(this.directory.resolve("alerts.yml"),
					Files.readString(Path.of("deploy", "prometheus", "alerts.yml"))
						.replace("for: 1m", "for: 2s")
						.replace("[1m]", "[3s]"));
			PrometheusServer prometheus = PrometheusServer.scraping(this.directory, "127.0.0.1:" + metrics, rules);
			running.add(prometheus);
			await("answers through HAProxy in Prometheus").atMost(WAIT)
				.ignoreExceptions()
				.until(() -> prometheus.value("sum(greeter_probe_answers_total{target=\"lb\"})") >= 30);
			List<Map<String, Object>> shares = prometheus
				.query("sum by (answer) (greeter_probe_answers_total{target=\"lb\"})");
			assertThat(shares).as("three answers through HAProxy").hasSize(3);
			for (Map<String, Object> share : shares) {
				assertThat(PrometheusServer.sampleValue(share)).as("%s", share).isPositive();
			}

			// Backend b goes away (SIGTERM: its readiness goes down first, HAProxy stops
			// sending it clients), and comes back on the same ports some seconds later.
			JarProcess b = greeters.get("b");
			int port = b.port();
			int actuator = b.actuatorPort();
			assertThat(b.sigterm(Duration.ofSeconds(30))).isZero();
			await("the path-down alert for b, firing").atMost(WAIT)
				.ignoreExceptions()
				.until(() -> prometheus
					.value("ALERTS{alertname=\"TcpGreeterProbePathDown\",target=\"b\",alertstate=\"firing\"}") == 1);
			running.add(greeter("b", "--greeter.server.port=" + port, "--server.port=" + actuator).awaitListening());
			await("b's outage, over").atMost(WAIT)
				.ignoreExceptions()
				.until(() -> prometheus.value("greeter_probe_outage_seconds_count{target=\"b\"}") == 1);
			assertThat(prometheus.value("greeter_probe_outage_seconds_sum{target=\"b\"}"))
				.as("the outage lasted from the stop to the start again")
				.isGreaterThan(2);
			await("the alert for b, resolved").atMost(WAIT)
				.ignoreExceptions()
				.until(() -> prometheus.query("ALERTS{alertname=\"TcpGreeterProbePathDown\",target=\"b\"}").isEmpty());
			// Through HAProxy, which follows readiness, nothing was lost.
			assertThat(prometheus.value("greeter_probe_outage_seconds_count{target=\"lb\"}")).isZero();
			assertThat(prometheus.value("sum(greeter_probe_attempts_total{target=\"lb\",outcome!=\"ok\"})")).isZero();
			assertThat(prometheus.query("ALERTS{target=\"lb\"}")).isEmpty();
			// The probe's own scrape is clean to promtool.
			Path scrape = Files.writeString(this.directory.resolve("scrape.txt"),
					body("http://127.0.0.1:" + metrics + "/actuator/prometheus"));
			PrometheusServer.assertCleanScrape(scrape);
			// Every panel of the probe's dashboard, its variables set as a user would,
			// has data.
			String dashboard = Files.readString(Path.of("deploy", "grafana", "tcp-greeter-probe.json"));
			List<String> queries = JsonPath.read(dashboard, "$.panels[*].targets[*].expr");
			assertThat(queries).hasSizeGreaterThanOrEqualTo(6);
			for (String query : queries) {
				String expr = query.replace("$__rate_interval", "1m")
					.replace("$__range", "5m")
					.replace("$job", "tcp-greeter")
					.replace("$target", ".*");
				assertThat(prometheus.query(expr)).as(expr).isNotEmpty();
			}
		}
		finally {
			for (int i = running.size() - 1; i >= 0; i--) {
				running.get(i).close();
			}
		}
	}

	@Test
	void everyAddressANameResolvesToIsProbedOnItsOwnAndOneThatGoesTakesItsSeriesWithIt() throws Exception {
		// The probe's JVM resolves from a hosts file of the test's own, read at every
		// lookup (no cache): one name, two addresses of the loopback.
		int port = Ports.free();
		List<AutoCloseable> running = new ArrayList<>();
		try {
			JarProcess one = greeter("one", "--greeter.server.port=" + port, "--server.port=0");
			running.add(one);
			JarProcess two = greeter("two", "--greeter.server.port=" + port, "--greeter.server.address=127.0.0.2",
					"--server.port=0");
			running.add(two);
			one.awaitListening();
			two.awaitListening();
			Path hosts = Files.writeString(this.directory.resolve("hosts"),
					"127.0.0.1 greeters.test\n127.0.0.2 greeters.test\n");
			int metrics = Ports.free();
			JarProcess probe = JarProcess.jar(this.directory.resolve("probe.log"))
				.jvm(List.of("-Djdk.net.hosts.file=" + hosts, "-Dsun.net.inetaddr.ttl=0"))
				.start("--spring.profiles.active=probe", "--server.port=" + metrics, "--server.address=127.0.0.1",
						"--greeter.probe.targets.pool.url=tcp://greeters.test:" + port,
						"--greeter.probe.targets.pool.interval=100ms");
			running.add(probe);
			String scrape = "http://127.0.0.1:" + metrics + "/actuator/prometheus";
			await("both addresses probed").atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
				String body = body(scrape);
				assertThat(body).containsPattern(
						"greeter_probe_attempts_total\\{address=\"127.0.0.1\",outcome=\"ok\",target=\"pool\"} [1-9]")
					.containsPattern(
							"greeter_probe_attempts_total\\{address=\"127.0.0.2\",outcome=\"ok\",target=\"pool\"} [1-9]")
					.containsPattern("greeter_probe_answers_total\\{answer=\"hello from one\",target=\"pool\"} [1-9]")
					.containsPattern("greeter_probe_answers_total\\{answer=\"hello from two\",target=\"pool\"} [1-9]")
					.contains("greeter_probe_addresses{target=\"pool\"} 2.0");
			});
			Files.writeString(hosts, "127.0.0.1 greeters.test\n");
			await("the address gone, and its series").atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
				String body = body(scrape);
				assertThat(body).doesNotContain("address=\"127.0.0.2\"")
					.contains("greeter_probe_addresses{target=\"pool\"} 1.0")
					.contains("address=\"127.0.0.1\"");
			});
		}
		finally {
			for (int i = running.size() - 1; i >= 0; i--) {
				running.get(i).close();
			}
		}
	}

	private static String body(String url) throws Exception {
		return HTTP
			.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
	}

	private JarProcess greeter(String name, String... ports) throws Exception {
		List<String> arguments = new ArrayList<>(
				List.of("--greeter.greeting=hello from " + name, "--greeter.server.shutdown-delay=1s"));
		arguments.addAll(List.of(ports));
		return JarProcess.jar(this.directory.resolve(name + "-" + System.nanoTime() + ".log"))
			.start(arguments.toArray(String[]::new));
	}

	private static int status(String url) throws Exception {
		return HTTP
			.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
					HttpResponse.BodyHandlers.discarding())
			.statusCode();
	}

}
