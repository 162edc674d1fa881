package dev.greeter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM while 64 clients connect in a loop: every connection the server accepted (and
 * logged) gets its whole greeting, and the process exits cleanly well within its shutdown
 * timeout.
 */
class DrainIT {

	private static final byte[] GREETING = (GreetingProperties.DEFAULT_GREETING + "\r\n")
		.getBytes(StandardCharsets.US_ASCII);

	private static final Pattern ESTABLISHED = Pattern.compile("Connection established with /127\\.0\\.0\\.1:(\\d+)");

	@TempDir
	Path temp;

	@Test
	void sigtermUnderLoadLosesNoAcceptedGreeting() throws Exception {
		JarProcess server = JarProcess.start(this.temp.resolve("server.log"), "", List.of());
		ExecutorService clients = Executors.newFixedThreadPool(64);
		try {
			int port = server.port();

			// Whole greetings received, by the client's local port. A port is reused over
			// a run (the client
			// closes second, so its ports skip TIME_WAIT): count per port, never keep one
			// outcome per port.
			Map<Integer, Integer> greeted = new ConcurrentHashMap<>();
			AtomicInteger connections = new AtomicInteger();
			AtomicBoolean stopping = new AtomicBoolean();
			long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			for (int i = 0; i < 64; i++) {
				clients.execute(() -> {
					while (!stopping.get() && System.nanoTime() < deadline) {
						try (Socket socket = new Socket()) {
							socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
							socket.setSoTimeout(10_000);
							connections.incrementAndGet();
							try {
								if (Arrays.equals(socket.getInputStream().readAllBytes(), GREETING)) {
									greeted.merge(socket.getLocalPort(), 1, Integer::sum);
								}
							}
							catch (IOException ex) {
								// a reset: counted below if the server had accepted this
								// connection
							}
						}
						catch (IOException refused) {
							return; // the server has stopped listening
						}
					}
				});
			}
			await("some load before the SIGTERM").atMost(Duration.ofSeconds(30)).until(() -> connections.get() > 2000);

			long start = System.nanoTime();
			int status = server.sigterm(Duration.ofSeconds(30));
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			stopping.set(true);
			clients.shutdown();
			assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

			String output = server.log();
			assertThat(status).as(output).isZero();
			assertThat(took).as("shutdown took %s", took).isLessThan(Duration.ofSeconds(15));
			assertThat(output).contains("Greeting server stopped accepting")
				.contains("Greeting server drained")
				.doesNotContain(" ERROR ")
				.doesNotContain("\tat ");

			// Connections the server accepted, by client port: a greeting reaches a
			// client only through a
			// connection the server logged, so on every port the two counts must be
			// equal.
			Map<Integer, Integer> accepted = ESTABLISHED.matcher(output)
				.results()
				.collect(Collectors.toMap((match) -> Integer.parseInt(match.group(1)), (match) -> 1, Integer::sum));
			assertThat(accepted.values().stream().mapToInt(Integer::intValue).sum()).isGreaterThan(2000);
			List<Integer> lost = new ArrayList<>();
			accepted.forEach((clientPort, count) -> {
				if (!count.equals(greeted.get(clientPort))) {
					lost.add(clientPort);
				}
			});
			assertThat(lost).as("accepted connections without their whole greeting").isEmpty();
		}
		finally {
			clients.shutdownNow();
			server.close();
		}
	}

	@Test
	void sigtermWhileABalancerStillSendsResetsNothingTheKernelAccepted() throws Exception {
		try (JarProcess server = JarProcess.start(this.temp.resolve("storm.log"), "", List.of()).awaitListening()) {
			int port = server.port();
			// A balancer that health-checks readiness: it stops sending new clients a few
			// milliseconds after the server says 503. Connections made in that window
			// wait in the backlog and must be greeted, not reset.
			AtomicBoolean ready = new AtomicBoolean(true);
			AtomicInteger connected = new AtomicInteger();
			AtomicInteger greeted = new AtomicInteger();
			List<String> lost = Collections.synchronizedList(new ArrayList<>());
			long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			ExecutorService balancer = Executors.newFixedThreadPool(65);
			try {
				balancer.execute(() -> {
					while (ready.get() && System.nanoTime() < deadline) {
						try {
							if (server.get("/health/readiness").statusCode() != 200) {
								ready.set(false);
							}
						}
						catch (Exception ex) {
							ready.set(false);
						}
					}
				});
				for (int i = 0; i < 64; i++) {
					balancer.execute(() -> {
						while (ready.get() && System.nanoTime() < deadline) {
							try (Socket socket = new Socket()) {
								try {
									socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
								}
								catch (IOException refused) {
									// Never accepted by the kernel: nothing lost.
									continue;
								}
								connected.incrementAndGet();
								socket.setSoTimeout(10_000);
								try {
									byte[] received = socket.getInputStream().readAllBytes();
									if (Arrays.equals(received, GREETING)) {
										greeted.incrementAndGet();
									}
									else {
										lost.add(received.length + " bytes");
									}
								}
								catch (IOException ex) {
									lost.add(ex.toString());
								}
							}
							catch (IOException ex) {
								lost.add(ex.toString());
							}
						}
					});
				}
				await("some load before the SIGTERM").atMost(Duration.ofSeconds(30))
					.until(() -> connected.get() > 2000);
				server.process().destroy(); // SIGTERM
				assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).as("exited within 30 s").isTrue();
				ready.set(false);
				balancer.shutdown();
				assertThat(balancer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
			}
			finally {
				balancer.shutdownNow();
			}
			assertThat(server.process().exitValue()).as(server.log()).isZero();
			assertThat(lost).as("connections the kernel accepted, without their whole greeting").isEmpty();
			assertThat(greeted.get()).isEqualTo(connected.get());
		}
	}

}
