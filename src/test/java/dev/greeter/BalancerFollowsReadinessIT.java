package dev.greeter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.deploy.Haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances behind a real HAProxy that health-checks their readiness URL
 * ({@code option httpchk}), with no retries to hide a failed connection. While clients
 * loop through HAProxy, instance A is taken out as an operator would: the maintenance
 * file first, then SIGTERM with a shutdown delay. No client connection fails. The clients
 * pause between connections and HAProxy checks once a second, as real balancers do: so
 * the backlog drain alone (which greets until the server has been quiet for 100 ms)
 * cannot cover for a balancer that has not noticed yet.
 */
class BalancerFollowsReadinessIT {

	@TempDir
	Path directory;

	@Test
	void takingAnInstanceOutThroughReadinessLosesNoConnection() throws Exception {
		Haproxy.require();
		Path maintenance = this.directory.resolve("a-maintenance");
		try (JarProcess a = JarProcess.start(this.directory.resolve("a.log"), "", List.of(), "--greeter.greeting=A",
				"--greeter.server.shutdown-delay=2s", "--greeter.server.maintenance-file=" + maintenance);
				JarProcess b = JarProcess.start(this.directory.resolve("b.log"), "", List.of(),
						"--greeter.greeting=B")) {
			a.awaitListening();
			b.awaitListening();
			int front = Ports.free();
			Haproxy haproxy = Haproxy.balancing(this.directory, front, "inter 1s fall 1 rise 1", 0,
					List.of(new Haproxy.Backend("a", a.port(), a.actuatorPort()),
							new Haproxy.Backend("b", b.port(), b.actuatorPort())));
			Map<String, AtomicInteger> greeted = new ConcurrentHashMap<>();
			List<String> failures = Collections.synchronizedList(new ArrayList<>());
			AtomicBoolean stop = new AtomicBoolean();
			ExecutorService clients = Executors.newFixedThreadPool(2);
			try {
				await("both instances served through HAProxy").atMost(Duration.ofSeconds(30))
					.ignoreExceptions()
					.until(() -> {
						String greeting = fetch(front);
						greeted.computeIfAbsent(greeting, (key) -> new AtomicInteger()).incrementAndGet();
						return greeted.containsKey("A\r\n") && greeted.containsKey("B\r\n");
					});
				greeted.clear();
				long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
				for (int i = 0; i < 2; i++) {
					clients.execute(() -> {
						while (!stop.get() && System.nanoTime() < deadline) {
							try {
								String greeting = fetch(front);
								if (greeting.equals("A\r\n") || greeting.equals("B\r\n")) {
									greeted.computeIfAbsent(greeting, (key) -> new AtomicInteger()).incrementAndGet();
								}
								else {
									failures.add("got '" + greeting + "'");
								}
							}
							catch (IOException ex) {
								failures.add(ex.toString());
							}
							pause(Duration.ofMillis(200));
						}
					});
				}
				await("traffic on both").atMost(Duration.ofSeconds(30))
					.until(() -> count(greeted, "A\r\n") > 10 && count(greeted, "B\r\n") > 10);

				Files.createFile(maintenance);
				await("HAProxy to take A out").atMost(Duration.ofSeconds(30)).until(() -> {
					int before = count(greeted, "A\r\n");
					Thread.sleep(1500);
					return count(greeted, "A\r\n") == before;
				});
				int servedByB = count(greeted, "B\r\n");
				a.process().destroy(); // SIGTERM, with the 2 s shutdown delay
				assertThat(a.process().waitFor(30, TimeUnit.SECONDS)).as("A exited").isTrue();
				assertThat(a.process().exitValue()).as(a.log()).isZero();
				await("B to go on serving").atMost(Duration.ofSeconds(30))
					.until(() -> count(greeted, "B\r\n") > servedByB + 20);
			}
			finally {
				stop.set(true);
				clients.shutdown();
				clients.awaitTermination(30, TimeUnit.SECONDS);
				haproxy.close();
			}
			assertThat(failures).as("client connections that failed").isEmpty();
			assertThat(a.log()).contains("Maintenance file " + maintenance + " exists")
				.contains("greeting on for 2000 ms (greeter.server.shutdown-delay)");
		}
	}

	private static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static int count(Map<String, AtomicInteger> greeted, String greeting) {
		AtomicInteger count = greeted.get(greeting);
		return (count != null) ? count.get() : 0;
	}

	private static String fetch(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
			socket.setSoTimeout(10_000);
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
	}

}
