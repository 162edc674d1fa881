package dev.greeter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.greeter.deploy.Tools;
import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What happens when the process runs out of file descriptors, heap, or room in its
 * standard output: it serves again as soon as descriptors are free, it fits its
 * connection limit to the descriptor limit (and a TLS listener's to the heap), out of
 * heap it ends (so that it is restarted) rather than wedging, and with its output blocked
 * it says it is not ready until the output flows again. Each runs the jar as a process of
 * its own with the limit lowered.
 */
class ResourceExhaustionIT {

	private static final String GREETING = GreetingProperties.DEFAULT_GREETING + "\r\n";

	@TempDir
	Path temp;

	@Test
	void outOfDescriptorsTheServerBacksOffAndServesAgainWhenTheyAreFree() throws Exception {
		Tools.require(Tools.onPath("prlimit"), "prlimit", "install util-linux");
		try (JarProcess server = JarProcess
			.start(this.temp.resolve("server.log"), "", List.of(), "--greeter.server.linger=60s")
			.awaitListening()) {
			assertThat(server.fetch()).isEqualTo(GREETING);
			// Lowered after start-up, so that the connection limit (2048) is far above
			// it: the accept itself runs out, as when descriptors go to something else.
			Tools.Result lowered = Tools.run(Duration.ofSeconds(10), "prlimit", "--pid", Long.toString(server.pid()),
					"--nofile=256:256");
			assertThat(lowered.exitCode()).as(lowered.output()).isZero();
			whileIdleClientsHold(server, 400, "the server to run out of descriptors",
					() -> server.log().contains("Too many open files"));
			await("a greeting again once the clients have left").atMost(Duration.ofSeconds(60))
				.ignoreExceptions()
				.until(() -> server.fetch().equals(GREETING));
			assertThat(server.get("/health/liveness").statusCode()).isEqualTo(200);
			assertThat(server.get("/health/readiness").statusCode()).isEqualTo(200);
			assertThat(server.scraped("greeter_accept_errors_total{kind=\"emfile\"}")).isPositive();
			assertThat(server.scraped("greeter_server_listening")).isEqualTo(1);
			assertThat(server.log())
				.contains("accept(s) failed since the last report, the server backs off and retries")
				.doesNotContain("Error on ServerSocket");
			assertThat(server.log().lines().filter((line) -> line.contains("GreetingServerConnectionFactory")))
				.as("no stack trace for a failed accept")
				.allSatisfy((line) -> assertThat(line).doesNotContain("\tat "));
		}
	}

	@Test
	void belowTheDefaultConnectionLimitInDescriptorsTheLimitIsCappedAndClientsBeyondItTurnedAway() throws Exception {
		try (JarProcess server = JarProcess
			.start(this.temp.resolve("server.log"), "ulimit -n 256", List.of(), "--greeter.server.linger=60s")
			.awaitListening()) {
			assertThat(server.log()).contains("greeter.server.max-connections=2048 does not fit: this process can open")
				.contains("limit 256");
			whileIdleClientsHold(server, 400, "connections beyond the cap turned away",
					() -> server.log().contains("new connection(s) closed without a greeting"));
			await("a greeting again once the clients have left").atMost(Duration.ofSeconds(60))
				.ignoreExceptions()
				.until(() -> server.fetch().equals(GREETING));
			assertThat(server.scraped("greeter_connections_rejected_total")).isPositive();
			assertThat(server.get("/health/liveness").statusCode()).isEqualTo(200);
		}
	}

	@Test
	void anExplicitConnectionLimitAboveTheDescriptorLimitStopsStartUpNamingIt() throws Exception {
		Path log = this.temp.resolve("server.log");
		try (JarProcess server = JarProcess.start(log, "ulimit -n 256", List.of(),
				"--greeter.server.max-connections=1000")) {
			assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
			assertThat(server.process().exitValue()).isEqualTo(1);
			assertThat(Files.readString(log)).contains("greeter.server.max-connections")
				.contains("more connections than fit")
				.contains("limit 256");
		}
	}

	@Test
	void outOfHeapTheProcessEndsRatherThanWedging() throws Exception {
		try (JarProcess server = JarProcess
			.start(this.temp.resolve("server.log"), "", List.of("-Xmx24m", "-XX:+ExitOnOutOfMemoryError"),
					"--greeter.server.linger=60s", "--greeter.server.max-connections=5000")
			.awaitListening()) {
			List<Socket> idle = new ArrayList<>();
			try {
				for (int i = 0; i < 2500 && server.process().isAlive(); i++) {
					Socket socket = new Socket();
					try {
						socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
						idle.add(socket);
					}
					catch (IOException ex) {
						socket.close();
						break; // the server has gone
					}
				}
				// Either it coped, or it ended: what it must not do is sit there with a
				// full backlog and an actuator that hangs.
				await("the process to end or to answer").atMost(Duration.ofSeconds(90))
					.ignoreExceptions()
					.until(() -> !server.process().isAlive() || answers(server));
			}
			finally {
				for (Socket socket : idle) {
					socket.close();
				}
			}
			if (!server.process().isAlive()) {
				assertThat(server.process().exitValue()).as("exit status after an OutOfMemoryError").isNotZero();
				assertThat(server.log()).contains("Terminating due to java.lang.OutOfMemoryError");
			}
		}
	}

	@Test
	void onTheImagesHeapATlsListenerTakesOnlyWhatItsHeapHoldsAndOutlastsClientsThatStallTheirHandshake()
			throws Exception {
		Tools.require(Tools.onPath("openssl"), "openssl", "apt-get install -y --no-install-recommends openssl");
		String password = "change-me";
		Path keystore = this.temp.resolve("server.p12");
		Tools.keytool(password, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
				"CN=localhost", "-validity", "2", "-keystore", keystore.toString());
		// The image's heap (64 MB): 1,100-1,500 such clients ran it out before the cap.
		try (JarProcess server = JarProcess
			.start(this.temp.resolve("server.log"), "",
					List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"),
					"--greeter.server.ssl.bundle=greeter",
					"--spring.ssl.bundle.jks.greeter.keystore.location=file:" + keystore,
					"--spring.ssl.bundle.jks.greeter.keystore.password=" + password,
					"--spring.ssl.bundle.jks.greeter.keystore.type=PKCS12", "--greeter.server.linger=60s",
					"--greeter.server.log-connections=false")
			.awaitListening()) {
			assertThat(server.log()).contains("greeter.server.max-connections=2048 does not fit: a TLS connection can "
					+ "hold about 40 KiB of heap while its handshake is slow");
			List<Socket> stalled = new ArrayList<>();
			try {
				// Each sends a 16 KiB handshake record but its last byte, and waits.
				byte[] record = new byte[5 + 16383];
				record[0] = 0x16;
				record[1] = 0x03;
				record[2] = 0x01;
				record[3] = 0x40;
				record[5] = 0x01;
				for (int i = 0; i < 2000; i++) {
					Socket socket = new Socket();
					stalled.add(socket);
					try {
						socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
						OutputStream out = socket.getOutputStream();
						out.write(record);
						out.flush();
					}
					catch (IOException ex) {
						// turned away beyond the limit: the server closed it
					}
				}
				assertThat(server.process().isAlive()).as("alive with 2000 stalled handshakes").isTrue();
				await("connections beyond the cap turned away").atMost(Duration.ofSeconds(30))
					.until(() -> server.log().contains("new connection(s) closed without a greeting"));
				assertThat(server.get("/health/liveness").statusCode()).isEqualTo(200);
				assertThat(server.scraped("greeter_connections_rejected_total")).isPositive();
			}
			finally {
				for (Socket socket : stalled) {
					socket.close();
				}
			}
			await("a TLS client greeted once the stalled ones have gone").atMost(Duration.ofSeconds(60))
				.ignoreExceptions()
				.until(() -> {
					Tools.Result result = Tools.run(Duration.ofSeconds(20), "openssl", "s_client", "-connect",
							"127.0.0.1:" + server.port(), "-ign_eof");
					return result.output().contains(GREETING);
				});
			assertThat(server.process().isAlive()).isTrue();
			assertThat(server.log()).doesNotContain("OutOfMemoryError");
		}
	}

	// Both paths: the drain selector's (a constant greeting, greeted on the accepting
	// thread, its line written after it), and a thread per connection's (a greeting
	// rendered per connection, as PROXY and TLS connections have, its line written
	// before it).
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', value = { "a constant greeting | Hello World! This is Bhushan | 256",
			"a greeting rendered per connection | Hello ${client.address} | 100" })
	void withAStandardOutputThatNobodyReadsTheListenerIsNotReadyAndGreetsTheWaitingClientsOnceItIsRead(String path,
			String greeting, int greetedFirst) throws Exception {
		// The process's standard output is a pipe that it holds open itself and nobody
		// reads (a paused terminal, a stalled log shipper): once its 64 KiB are full,
		// every log line blocks.
		Path pipe = this.temp.resolve("stdout.fifo");
		String expected = greeting.replace("${client.address}", "127.0.0.1") + "\r\n";
		try (JarProcess server = writingToAPipeNobodyReads(pipe, "--greeter.greeting=" + greeting)) {
			AtomicInteger counted = new AtomicInteger();
			Socket waiting = greetUntilOneWaits(server, expected, counted);
			int greeted = counted.get();
			try (Socket client = waiting) {
				// The log's lines fill the pipe. Then a connection's thread blocks in its
				// line before the greeting; or 256 greeted connections wait for the stuck
				// drain selector, and the accepting thread waits for it.
				assertThat(greeted).isGreaterThan(greetedFirst);
				await("readiness DOWN").atMost(Duration.ofSeconds(15))
					.until(() -> server.get("/health/readiness").statusCode() == 503);
				assertThat(server.get("/health/readiness").body()).contains("\"default\":{\"status\":\"DOWN\"}");
				assertThat(server.get("/health/liveness").statusCode()).isEqualTo(200);
				assertThat(server.scraped("greeter_server_stalled")).isEqualTo(1);
				assertThat(server.scraped("greeter_server_listening")).isEqualTo(1);
				ByteArrayOutputStream output = new ByteArrayOutputStream();
				Thread reader = new Thread(() -> {
					try (InputStream in = Files.newInputStream(pipe)) {
						in.transferTo(output);
					}
					catch (IOException ex) {
						// the test has failed already, or the process ended
					}
				}, "stdout-reader");
				reader.setDaemon(true);
				reader.start();
				// Read at last: the waiting client is greeted, nobody's line is lost.
				client.setSoTimeout(15_000);
				assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
					.isEqualTo(expected);
				await("readiness UP again").atMost(Duration.ofSeconds(15))
					.until(() -> server.get("/health/readiness").statusCode() == 200);
				assertThat(server.scraped("greeter_server_stalled")).isZero();
				assertThat(server.fetch()).isEqualTo(expected);
				int logged = greeted + 2;
				await("a line for every connection").atMost(Duration.ofSeconds(15))
					.until(() -> output.toString(StandardCharsets.UTF_8)
						.lines()
						.filter((line) -> line.contains("Connection established with"))
						.count() == logged);
				server.close();
				reader.join(10_000);
			}
		}
	}

	@Test
	void withAStandardOutputThatNobodyReadsSigtermStillEndsTheProcessByItsDeadline() throws Exception {
		// The stop writes log lines, which block on the full pipe: without its deadline
		// the process waited for ever, and only SIGKILL ended it.
		try (JarProcess server = writingToAPipeNobodyReads(this.temp.resolve("stdout.fifo"),
				"--spring.lifecycle.timeout-per-shutdown-phase=2s")) {
			try (Socket waiting = greetUntilOneWaits(server, GREETING, new AtomicInteger())) {
				// A client waits, its greeting held up by the blocked log.
				await("readiness DOWN").atMost(Duration.ofSeconds(15))
					.until(() -> server.get("/health/readiness").statusCode() == 503);
				long start = System.nanoTime();
				// The deadline: two phases of 2 s and 5 s more.
				assertThat(server.sigterm(Duration.ofSeconds(30))).as("the exit status of a stop that did not finish")
					.isEqualTo(1);
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(9));
				assertThat(server.log()).contains(
						"tcp-greeter: the stop did not finish within 9 s of SIGTERM (is the standard output blocked?); "
								+ "halting with status 1");
			}
		}
	}

	/**
	 * Start the jar, listening, with its standard output a named pipe that the process
	 * holds open itself ({@code exec 1<>}), so that its writes block once the pipe's 64
	 * KiB are full, until somebody opens the pipe to read it.
	 * @param pipe where to make the pipe
	 * @param arguments application arguments
	 * @return the process
	 * @throws Exception if the pipe cannot be made or the jar does not start
	 */
	private JarProcess writingToAPipeNobodyReads(Path pipe, String... arguments) throws Exception {
		Tools.Result made = Tools.run(Duration.ofSeconds(10), "mkfifo", pipe.toString());
		assertThat(made.exitCode()).as(made.output()).isZero();
		return JarProcess.start(this.temp.resolve("server.log"), "exec 1<>'" + pipe + "'", List.of(), arguments)
			.awaitListening();
	}

	/**
	 * Connect and read greetings one client at a time, until one is not greeted within 3
	 * s: the server's standard output has filled, and its log lines block.
	 * @param server the server
	 * @param expected each greeting
	 * @param greeted counts the clients greeted
	 * @return the client left waiting
	 * @throws IOException if a client cannot connect
	 */
	private static Socket greetUntilOneWaits(JarProcess server, String expected, AtomicInteger greeted)
			throws IOException {
		for (int i = 0; i < 5000; i++) {
			Socket socket = server.connect();
			socket.setSoTimeout(3_000);
			try {
				assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
					.isEqualTo(expected);
				socket.close();
				greeted.incrementAndGet();
			}
			catch (SocketTimeoutException ex) {
				return socket;
			}
		}
		throw new AssertionError("no client left waiting, after " + greeted + " greeted");
	}

	/**
	 * Connect clients that never read, wait for what the server must do while they are
	 * there, then let them go.
	 * @param server the server
	 * @param count how many clients
	 * @param what what is awaited, for the failure message
	 * @param condition the server's reaction
	 * @throws Exception if a client cannot connect or the wait fails
	 */
	private static void whileIdleClientsHold(JarProcess server, int count, String what, Callable<Boolean> condition)
			throws Exception {
		List<Socket> idle = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				Socket socket = new Socket();
				idle.add(socket);
				socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
			}
			await(what).atMost(Duration.ofSeconds(30)).until(condition);
		}
		finally {
			for (Socket socket : idle) {
				socket.close();
			}
		}
	}

	// Greets, and its actuator answers: it is serving.
	private static boolean answers(JarProcess server) throws Exception {
		return server.fetch().equals(GREETING) && server.get("/health/liveness").statusCode() == 200;
	}

}
