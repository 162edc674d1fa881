package dev.greeter;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A soak against the packaged jar in a process of its own: 200,000 connections that mix
 * well-behaved clients with clients that write garbage first, reset at once, or never
 * read. Every well-behaved client gets the exact greeting; the metrics add up; the
 * server's threads and open files return to their idle level and its heap after a full GC
 * does not grow.
 */
class SoakIT {

	private static final int CONNECTIONS = 200_000;

	private static final int CLIENTS = 32;

	private static final byte[] GREETING = (GreetingProperties.DEFAULT_GREETING + "\r\n")
		.getBytes(StandardCharsets.US_ASCII);

	@TempDir
	Path temp;

	@Test
	void twoHundredThousandMixedConnectionsLeaveNothingBehind() throws Exception {
		Path log = this.temp.resolve("server.log");
		JarProcess server = startServer(log);
		ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
		try {
			int port = server.port();

			run(clients, port, 2_000); // warm-up, so that the idle level includes what
										// first use loads
			Idle idle = settle(server, 2_000);

			long start = System.nanoTime();
			Counts counts = run(clients, port, CONNECTIONS);
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			int total = 2_000 + CONNECTIONS;

			assertThat(counts.wrongGreetings.get()).as("well-behaved clients without the exact greeting").isZero();
			// A failed send is counted as aborted just after its connection's close: wait
			// for the whole tally.
			await("every server connection to close and be tallied").atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> {
					assertThat(value(server, "greeter_connections_closed_total")).isEqualTo(total);
					assertThat(value(server, "greeter_greetings_sent_total")
							+ value(server, "greeter_greetings_aborted_total"))
						.isEqualTo(total);
				});
			assertThat(value(server, "greeter_connections_opened_total")).isEqualTo(total);
			assertThat(value(server, "greeter_connections_active")).isZero();
			assertThat(value(server, "greeter_greetings_sent_total")).isGreaterThanOrEqualTo(counts.wellBehaved.get());

			Idle after = settle(server, total);
			assertThat(after.threads).as("threads after the soak (idle %d)", idle.threads)
				.isLessThanOrEqualTo(idle.threads + 4);
			assertThat(after.openFiles).as("open files after the soak (idle %d)", idle.openFiles)
				.isLessThanOrEqualTo(idle.openFiles + 4);
			assertThat(after.heapAfterGc).as("heap after GC (idle %d bytes)", idle.heapAfterGc)
				.isLessThanOrEqualTo(idle.heapAfterGc + 8 * 1024 * 1024);
			String output = server.log();
			assertThat(output).doesNotContain(" ERROR ").doesNotContain("\tat ");
			QuietTestOutput.console()
				.printf("soak: %d connections in %s (%d well-behaved, %d garbage-first, %d reset, %d never-read);"
						+ " threads %d -> %d, open files %d -> %d, heap after GC %d -> %d bytes%n", CONNECTIONS, took,
						counts.wellBehaved.get(), counts.garbageFirst.get(), counts.reset.get(), counts.neverRead.get(),
						idle.threads, after.threads, idle.openFiles, after.openFiles, idle.heapAfterGc,
						after.heapAfterGc);
		}
		finally {
			clients.shutdownNow();
			stop(server);
		}
	}

	@Test
	void floodOfFiftyThousandAttemptsKeepsThreadsAndMemoryBounded() throws Exception {
		Path log = this.temp.resolve("flood.log");
		int limit = 64;
		JarProcess server = startServer(log, "--greeter.server.max-connections=" + limit, "--greeter.server.linger=1s");
		try {
			int port = server.port();
			long idleThreads = status(server.pid(), "Threads:");

			// Sample the server's threads, open files and resident memory while the flood
			// runs.
			AtomicLong peakThreads = new AtomicLong();
			AtomicLong peakFiles = new AtomicLong();
			AtomicLong peakRssKb = new AtomicLong();
			AtomicBoolean flooding = new AtomicBoolean(true);
			Thread sampler = new Thread(() -> {
				while (flooding.get()) {
					try {
						peakThreads.accumulateAndGet(status(server.pid(), "Threads:"), Math::max);
						peakRssKb.accumulateAndGet(status(server.pid(), "VmRSS:"), Math::max);
						try (var files = Files.list(Path.of("/proc", Long.toString(server.pid()), "fd"))) {
							peakFiles.accumulateAndGet(files.count(), Math::max);
						}
						Thread.sleep(10);
					}
					catch (Exception ex) {
						return;
					}
				}
			});
			sampler.start();
			int attempts = 0;
			long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
			// Rounds of 500 connections that neither read nor close until the round ends:
			// far over the limit.
			for (int round = 0; round < 100 && System.nanoTime() < deadline; round++) {
				List<Socket> held = new ArrayList<>();
				try {
					for (int i = 0; i < 500; i++) {
						Socket socket = new Socket();
						held.add(socket);
						socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
						attempts++;
					}
				}
				finally {
					for (Socket socket : held) {
						socket.close();
					}
				}
			}
			flooding.set(false);
			sampler.join(5_000);

			assertThat(attempts).isEqualTo(50_000);
			double rejected = value(server, "greeter_connections_rejected_total");
			assertThat(rejected).as("rejected beyond the limit").isPositive();
			assertThat(peakThreads.get()).as("peak threads (idle %d, limit %d)", idleThreads, limit)
				.isLessThanOrEqualTo(idleThreads + limit + 16);
			assertThat(peakFiles.get()).as("peak open files").isLessThanOrEqualTo(limit + 64);
			assertThat(peakRssKb.get()).as("peak RSS in KiB").isLessThan(384 * 1024);
			await("every accepted connection to close").atMost(Duration.ofSeconds(30))
				.until(() -> value(server, "greeter_connections_active") == 0);
			double opened = value(server, "greeter_connections_opened_total");
			assertThat(value(server, "greeter_connections_closed_total")).isEqualTo(opened);
			// Every attempt was either served or turned away, nothing in between.
			assertThat(opened + value(server, "greeter_connections_rejected_total")).isEqualTo(attempts);
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
				socket.setSoTimeout(10_000);
				assertThat(socket.getInputStream().readAllBytes()).as("served after the flood").isEqualTo(GREETING);
			}
			assertThat(Files.readString(log)).doesNotContain(" ERROR ").doesNotContain("\tat ");
			QuietTestOutput.console()
				.printf("flood: %d attempts, %.0f rejected; peak threads %d (idle %d), peak open files %d,"
						+ " peak RSS %d MiB%n", attempts, rejected, peakThreads.get(), idleThreads, peakFiles.get(),
						peakRssKb.get() / 1024);
		}
		finally {
			stop(server);
		}
	}

	private static JarProcess startServer(Path log, String... arguments) throws IOException {
		List<String> all = new ArrayList<>(List.of("--greeter.server.log-connections=false"));
		all.addAll(List.of(arguments));
		return JarProcess.jar(log)
			.jvm(List.of("-Xms64m", "-Xmx128m", "-XX:+UseSerialGC"))
			.start(all.toArray(String[]::new))
			.awaitListening();
	}

	private static void stop(JarProcess server) throws InterruptedException {
		server.process().destroy();
		if (!server.process().waitFor(30, TimeUnit.SECONDS)) {
			server.close();
		}
	}

	private static long status(long pid, String key) throws IOException {
		try (var lines = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
			return lines.filter((line) -> line.startsWith(key))
				.mapToLong((line) -> Long.parseLong(line.substring(key.length()).strip().split("\\s+")[0]))
				.findFirst()
				.orElseThrow();
		}
	}

	private static Counts run(ExecutorService clients, int port, int connections) throws Exception {
		Counts counts = new Counts();
		AtomicInteger next = new AtomicInteger();
		List<Future<?>> done = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			done.add(clients.submit(() -> {
				for (int n; (n = next.getAndIncrement()) < connections;) {
					connect(port, n % 10, counts);
				}
				return null;
			}));
		}
		for (Future<?> client : done) {
			client.get(10, TimeUnit.MINUTES);
		}
		return counts;
	}

	/**
	 * One connection of a kind: 0-6 well-behaved, 7 writes garbage first, 8 resets at
	 * once, 9 never reads.
	 */
	private static void connect(int port, int kind, Counts counts) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
			socket.setSoTimeout(10_000);
			switch (kind) {
				case 7 -> {
					counts.garbageFirst.incrementAndGet();
					OutputStream output = socket.getOutputStream();
					output.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n\u0000\u0001garbage"
						.getBytes(StandardCharsets.ISO_8859_1));
					output.flush();
					expectGreeting(socket, counts);
				}
				case 8 -> {
					counts.reset.incrementAndGet();
					socket.setSoLinger(true, 0);
				}
				case 9 -> {
					counts.neverRead.incrementAndGet();
					// Leaves without reading: the greeting stays unread in this socket.
				}
				default -> {
					counts.wellBehaved.incrementAndGet();
					expectGreeting(socket, counts);
				}
			}
		}
	}

	private static void expectGreeting(Socket socket, Counts counts) throws IOException {
		if (!Arrays.equals(socket.getInputStream().readAllBytes(), GREETING)) {
			counts.wrongGreetings.incrementAndGet();
		}
	}

	/**
	 * The server's resting level: threads and open files once connections have closed and
	 * idle pooled threads retired, and the heap after a full GC.
	 */
	private static Idle settle(JarProcess server, int connections) throws Exception {
		long pid = server.pid();
		await("the server's connections to close").atMost(Duration.ofSeconds(30))
			.until(() -> value(server, "greeter_connections_closed_total") >= connections);
		// Idle pooled platform threads (Java 17) retire after 10 s; virtual threads are
		// gone at once.
		Thread.sleep(12_000);
		Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
		Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
			.start();
		gc.getInputStream().readAllBytes();
		assertThat(gc.waitFor(30, TimeUnit.SECONDS)).isTrue();
		long heap = (long) server.scraped("jvm_memory_used_bytes{area=\"heap\"}");
		long threads = status(pid, "Threads:");
		long openFiles;
		try (var files = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
			openFiles = files.count();
		}
		return new Idle(threads, openFiles, heap);
	}

	private static double value(JarProcess server, String series) throws Exception {
		String scrape = server.get("/prometheus").body();
		assertThat(scrape).as("the scrape").contains(series);
		return Meters.scraped(scrape, series);
	}

	private record Idle(long threads, long openFiles, long heapAfterGc) {

	}

	private static final class Counts {

		final AtomicLong wellBehaved = new AtomicLong();

		final AtomicLong garbageFirst = new AtomicLong();

		final AtomicLong reset = new AtomicLong();

		final AtomicLong neverRead = new AtomicLong();

		final AtomicLong wrongGreetings = new AtomicLong();

	}

}
