package dev.greeter.probe;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.greeter.GreeterApplication;
import dev.greeter.Meters;
import dev.greeter.RunningServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * The probe profile against real greeters on 127.0.0.1: who answered, outcomes by
 * address, an outage with its duration, a UDP target and a listener that requires a PROXY
 * header.
 */
class ProbeTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@Test
	void countsWhoAnsweredByTargetAndEachResolvedAddressSeparately() throws Exception {
		try (RunningServer a = RunningServer.start("greeter.greeting=hello from a");
				RunningServer udp = RunningServer.start("greeter.listeners.qotd.protocol=udp",
						"greeter.listeners.qotd.greeting=quote");
				RunningServer proxied = RunningServer.start("greeter.server.proxy-protocol=required",
						"greeter.greeting=you are ${client.address}");
				ConfigurableApplicationContext probe = probe("greeter.probe.targets.a.url=tcp://127.0.0.1:" + a.port(),
						"greeter.probe.targets.named.url=tcp://localhost:" + a.port(),
						"greeter.probe.targets.udp.url=udp://127.0.0.1:" + udp.port("qotd"),
						"greeter.probe.targets.proxied.url=tcp://127.0.0.1:" + proxied.port(),
						"greeter.probe.targets.proxied.proxy.version=v2",
						"greeter.probe.targets.proxied.proxy.source-address=203.0.113.7",
						"greeter.probe.targets.proxied.answer-pattern=you are (\\S+)")) {
			MeterRegistry registry = probe.getBean(MeterRegistry.class);
			await("answers from every target").atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
				assertThat(answers(registry, "a", "hello from a")).isGreaterThanOrEqualTo(3);
				assertThat(answers(registry, "udp", "quote")).isGreaterThanOrEqualTo(3);
				assertThat(answers(registry, "proxied", "203.0.113.7")).isGreaterThanOrEqualTo(3);
			});
			assertThat(attempts(registry, "a", "127.0.0.1", "ok")).isGreaterThanOrEqualTo(3);
			assertThat(attempts(registry, "a", "127.0.0.1", "refused")).isZero();
			// A name is resolved every round; each address it gives has its own series.
			await("the name's address").atMost(WAIT)
				.ignoreExceptions()
				.until(() -> attempts(registry, "named", "127.0.0.1", "ok") > 0);
			assertThat(registry.get("greeter.probe.addresses").tag("target", "named").gauge().value()).isPositive();
			Timer connect = registry.find("greeter.probe.connect").tags("target", "a", "address", "127.0.0.1").timer();
			assertThat(connect).isNotNull();
			assertThat(connect.count()).isPositive();
			String scrape = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
						+ probe.getEnvironment().getProperty("local.server.port") + "/actuator/prometheus"))
					.build(), HttpResponse.BodyHandlers.ofString())
				.body();
			assertThat(scrape)
				.contains("greeter_probe_attempts_total{address=\"127.0.0.1\",outcome=\"ok\",target=\"a\"}")
				.contains("greeter_probe_answers_total{answer=\"hello from a\",target=\"a\"}")
				.contains("greeter_probe_connect_seconds_bucket{address=\"127.0.0.1\",target=\"a\",le=\"0.001\"}")
				.contains("greeter_probe_last_success_timestamp_seconds{address=\"127.0.0.1\",target=\"a\"}");
		}
	}

	@Test
	void anOutageOfAnAddressIsMeasuredFromItsFirstFailureToTheNextSuccess() throws Exception {
		RunningServer first = RunningServer.start("greeter.listeners.b.greeting=b");
		int port = first.port("b");
		List<RunningServer> servers = new ArrayList<>(List.of(first));
		try (ConfigurableApplicationContext probe = probe("greeter.probe.targets.b.url=tcp://127.0.0.1:" + port)) {
			MeterRegistry registry = probe.getBean(MeterRegistry.class);
			await("a success first").atMost(WAIT)
				.ignoreExceptions()
				.until(() -> attempts(registry, "b", "127.0.0.1", "ok") > 0);
			first.close();
			await("failures while it is down").atMost(WAIT)
				.ignoreExceptions()
				.until(() -> attempts(registry, "b", "127.0.0.1", "refused") >= 3);
			servers.add(RunningServer.start("greeter.listeners.b.port=" + port, "greeter.listeners.b.greeting=b"));
			await("the outage, once it answers again").atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
				Timer outage = registry.find("greeter.probe.outage")
					.tags("target", "b", "address", "127.0.0.1")
					.timer();
				assertThat(outage).isNotNull();
				assertThat(outage.count()).isEqualTo(1);
				// At least three failed probes 50 ms apart.
				assertThat(outage.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(100);
			});
		}
		finally {
			servers.forEach(RunningServer::close);
		}
	}

	@Test
	void answersAreCappedPerTargetAndTheOverflowIsCounted() throws Exception {
		// Every connection a new answer: a pattern that captures too much.
		try (RunningServer server = RunningServer.start("greeter.greeting=n ${connection.count}");
				ConfigurableApplicationContext probe = probe(
						"greeter.probe.targets.many.url=tcp://127.0.0.1:" + server.port(),
						"greeter.probe.targets.many.max-answers=3")) {
			MeterRegistry registry = probe.getBean(MeterRegistry.class);
			await("more answers than the cap").atMost(WAIT)
				.ignoreExceptions()
				.until(() -> Meters.count(registry, "greeter.probe.answers.overflow", "target", "many") >= 3);
			assertThat(registry.find("greeter.probe.answers").tag("target", "many").counters())
				.as("three answers and other")
				.hasSize(4);
			// Every success counted once, as an answer or as other (read in this order,
			// the answers cannot have run ahead; a few probes may end in between).
			double answers = Meters.count(registry, "greeter.probe.answers", "target", "many");
			double ok = attempts(registry, "many", "127.0.0.1", "ok");
			assertThat(answers).isBetween(ok - 5, ok);
			assertThat(Meters.count(registry, "greeter.probe.answers", "target", "many", "answer", "other"))
				.isEqualTo(Meters.count(registry, "greeter.probe.answers.overflow", "target", "many"));
		}
	}

	@Test
	void aTargetThatNeverAnswersDelaysNoOther() throws Exception {
		// Accepts, never writes: each probe of it waits for its whole timeout.
		try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
				RunningServer server = RunningServer.start("greeter.greeting=fast");
				ConfigurableApplicationContext probe = probe(
						"greeter.probe.targets.silent.url=tcp://127.0.0.1:" + silent.getLocalPort(),
						"greeter.probe.targets.silent.timeout=10s",
						"greeter.probe.targets.fast.url=tcp://127.0.0.1:" + server.port())) {
			MeterRegistry registry = probe.getBean(MeterRegistry.class);
			await("the fast target's first success").atMost(WAIT)
				.ignoreExceptions()
				.until(() -> attempts(registry, "fast", "127.0.0.1", "ok") > 0);
			double before = attempts(registry, "fast", "127.0.0.1", "ok");
			// 50 ms apart: at least 20 more within 3 s, while every probe of the silent
			// target is still waiting.
			await("the fast target probed on schedule").atMost(Duration.ofSeconds(3))
				.ignoreExceptions()
				.until(() -> attempts(registry, "fast", "127.0.0.1", "ok") >= before + 20);
			assertThat(registry.find("greeter.probe.attempts").tag("target", "silent").counters())
				.as("no probe of the silent target has ended")
				.allSatisfy((counter) -> assertThat(counter.count()).isZero());
		}
	}

	@Test
	void withoutATargetStartUpStopsNamingTheProperty() {
		assertThatException().isThrownBy(() -> probe().close()).withStackTraceContaining("greeter.probe.targets");
	}

	private static ConfigurableApplicationContext probe(String... properties) {
		List<String> arguments = new ArrayList<>(List.of("--spring.profiles.active=probe", "--server.port=0",
				"--server.address=127.0.0.1", "--spring.main.banner-mode=off"));
		for (String property : properties) {
			arguments.add("--" + property);
			if (property.matches("greeter\\.probe\\.targets\\.[a-z]+\\.url=.*")) {
				String name = property.split("\\.")[3];
				arguments.add("--greeter.probe.targets." + name + ".interval=50ms");
			}
		}
		return new SpringApplicationBuilder(GreeterApplication.class).run(arguments.toArray(String[]::new));
	}

	private static double answers(MeterRegistry registry, String target, String answer) {
		return Meters.count(registry, "greeter.probe.answers", "target", target, "answer", answer);
	}

	private static double attempts(MeterRegistry registry, String target, String address, String outcome) {
		return Meters.count(registry, "greeter.probe.attempts", "target", target, "address", address, "outcome",
				outcome);
	}

}
