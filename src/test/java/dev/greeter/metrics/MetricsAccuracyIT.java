package dev.greeter.metrics;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.greeter.Meters;
import dev.greeter.RunningServer;
import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The meters stay exact under load: 20,000 connections from 64 concurrent clients, each
 * checking its greeting byte for byte, then opened == closed == greetings sent == 20,000
 * and no connection left active, as read from the Prometheus scrape.
 */
class MetricsAccuracyIT {

	private static final int CONNECTIONS = 20_000;

	private static final int CONCURRENCY = 64;

	private static final byte[] GREETING = (GreetingProperties.DEFAULT_GREETING + "\r\n")
		.getBytes(StandardCharsets.US_ASCII);

	@Test
	void countsAddUpAfterTwentyThousandConnectionsAtConcurrency64() throws Exception {
		try (RunningServer app = RunningServer.startWithActuator("greeter.server.log-connections=false")) {
			AtomicInteger next = new AtomicInteger();
			ExecutorService clients = Executors.newFixedThreadPool(CONCURRENCY);
			try {
				List<Future<Integer>> results = new ArrayList<>();
				for (int i = 0; i < CONCURRENCY; i++) {
					results.add(clients.submit(() -> {
						int greeted = 0;
						while (next.getAndIncrement() < CONNECTIONS) {
							byte[] received = app.fetch();
							assertThat(Arrays.equals(received, GREETING)).as("greeting bytes").isTrue();
							greeted++;
						}
						return greeted;
					}));
				}
				int greeted = 0;
				for (Future<Integer> result : results) {
					greeted += result.get(5, TimeUnit.MINUTES);
				}
				assertThat(greeted).isEqualTo(CONNECTIONS);
			}
			finally {
				clients.shutdownNow();
			}
			await("every server connection to close").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> value(app, "greeter_connections_closed_total") == CONNECTIONS);
			assertThat(value(app, "greeter_connections_opened_total")).isEqualTo(CONNECTIONS);
			assertThat(value(app, "greeter_greetings_sent_total")).isEqualTo(CONNECTIONS);
			assertThat(value(app, "greeter_greeting_sent_bytes_total"))
				.isEqualTo((double) CONNECTIONS * GREETING.length);
			assertThat(value(app, "greeter_connection_duration_seconds_count")).isEqualTo(CONNECTIONS);
			assertThat(value(app, "greeter_connections_active")).isZero();
			assertThat(value(app, "greeter_greetings_aborted_total")).isZero();
		}
	}

	private static double value(RunningServer app, String series) throws Exception {
		HttpResponse<String> scrape = app.get("/prometheus");
		assertThat(scrape.body()).as("the scrape").contains(series);
		return Meters.scraped(scrape.body(), series);
	}

}
