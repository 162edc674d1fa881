package dev.greeter.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.integration.ip.tcp.connection.AbstractServerConnectionFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.RunningServer;
import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The greeting server over real sockets on 127.0.0.1: what a client receives, and how the
 * server copes with clients that write first, write a lot, or leave at once.
 */
@ExtendWith(OutputCaptureExtension.class)
class GreetingServerTests {

	private static final byte[] DEFAULT_GREETING = (GreetingProperties.DEFAULT_GREETING + "\r\n")
		.getBytes(StandardCharsets.US_ASCII);

	private static RunningServer server;

	@BeforeAll
	static void startServer() {
		server = RunningServer.start();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Test
	void thePortReallyBoundIsPublishedAsAPropertyAndLoggedOnce(CapturedOutput output) {
		Integer published = server.context()
			.getEnvironment()
			.getProperty(Listeners.portProperty("default"), Integer.class);
		int bound = server.context()
			.getBean("default.connectionFactory", AbstractServerConnectionFactory.class)
			.getPort();
		assertThat(published).isEqualTo(bound).isPositive();
		assertThat(output.getAll()).containsOnlyOnce("Greeting server listening on port " + bound + " (127.0.0.1)");
	}

	@Test
	void defaultGreetingIsTheExactBytesThenEndOfStream() throws IOException {
		assertThat(server.fetch()).isEqualTo(DEFAULT_GREETING);
	}

	@ParameterizedTest
	@CsvSource({ "crlf, '\r\n'", "lf, '\n'", "none, ''" })
	void lineEndingFollowsTheGreeting(String lineEnding, String terminator) throws IOException {
		try (RunningServer custom = RunningServer.start("greeter.greeting=Hi there",
				"greeter.line-ending=" + lineEnding)) {
			assertThat(custom.fetch()).isEqualTo(("Hi there" + terminator).getBytes(StandardCharsets.US_ASCII));
		}
	}

	@Test
	void nonAsciiGreetingIsSentAsUtf8() throws IOException {
		String text = "Grüße aus München — こんにちは 👋";
		try (RunningServer custom = RunningServer.start("greeter.greeting=" + text)) {
			assertThat(custom.fetch()).isEqualTo((text + "\r\n").getBytes(StandardCharsets.UTF_8));
		}
	}

	@Test
	void fiveHundredClientsAtOnceAllGetTheWholeGreeting() throws Exception {
		assertEveryClientGetsTheWholeGreeting(server, 500, 500);
	}

	// Connects the clients from that many threads at once, and checks every greeting.
	private static void assertEveryClientGetsTheWholeGreeting(RunningServer target, int clients, int threads)
			throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch go = new CountDownLatch(1);
			List<Future<byte[]>> received = new ArrayList<>();
			for (int i = 0; i < clients; i++) {
				received.add(pool.submit(() -> {
					go.await();
					return target.fetch();
				}));
			}
			go.countDown();
			for (Future<byte[]> greeting : received) {
				assertThat(greeting.get(RunningServer.CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
					.isEqualTo(DEFAULT_GREETING);
			}
		}
		finally {
			pool.shutdownNow();
			assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void clientThatWritesALineFirstStillGetsWholeLargeGreeting() throws Exception {
		assertWriteFirstClientGetsWholeGreeting("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
	}

	@Test
	void clientThatWritesOneMebibyteOfGarbageFirstStillGetsWholeLargeGreeting() throws Exception {
		byte[] garbage = new byte[1024 * 1024];
		for (int i = 0; i < garbage.length; i++) {
			garbage[i] = (byte) (i * 31 + 7);
		}
		assertWriteFirstClientGetsWholeGreeting(garbage);
	}

	/**
	 * A 64 KiB greeting and a client with a small receive buffer that writes before it
	 * reads and then reads slowly: if the server closed with the client's bytes unread,
	 * the kernel would reset the connection and the unread part of the greeting would be
	 * lost.
	 */
	private void assertWriteFirstClientGetsWholeGreeting(byte[] firstWrite) throws Exception {
		String text = "x".repeat(64 * 1024 - 2);
		byte[] expected = (text + "\r\n").getBytes(StandardCharsets.US_ASCII);
		try (RunningServer large = RunningServer.start("greeter.greeting=" + text)) {
			ExecutorService writer = Executors.newSingleThreadExecutor();
			try (Socket socket = new Socket()) {
				socket.setReceiveBufferSize(4096);
				socket.connect(new InetSocketAddress("127.0.0.1", large.port()));
				socket.setSoTimeout((int) RunningServer.CLIENT_TIMEOUT.toMillis());
				// The write runs on its own thread: a large one only ends as the server
				// drains it, and the server drains only once its greeting is out, which
				// needs this client to read.
				Future<?> written = writer.submit(() -> {
					OutputStream output = socket.getOutputStream();
					output.write(firstWrite);
					output.flush();
					return null;
				});
				byte[] received = readSlowly(socket.getInputStream(), expected.length * 2);
				written.get(RunningServer.CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
				assertThat(received.length).isEqualTo(expected.length);
				assertThat(Arrays.equals(received, expected)).as("greeting bytes").isTrue();
			}
			finally {
				writer.shutdownNow();
			}
		}
	}

	private static byte[] readSlowly(InputStream input, int limit) throws IOException, InterruptedException {
		byte[] buffer = new byte[limit];
		int length = 0;
		byte[] piece = new byte[1024];
		for (int n; (n = input.read(piece)) >= 0;) {
			assertThat(length + n).as("bytes received").isLessThanOrEqualTo(limit);
			System.arraycopy(piece, 0, buffer, length, n);
			length += n;
			// A slow reader on purpose (bounded: at most 64 pieces of 1 KiB), not a wait
			// for some condition.
			Thread.sleep(2);
		}
		return Arrays.copyOf(buffer, length);
	}

	@Test
	void clientThatResetsAtOnceLeavesNoStackTraceAndServerServesTheNext(CapturedOutput output) throws IOException {
		int closedBefore = server.closedConnections();
		for (int i = 0; i < 20; i++) {
			Socket socket = server.connect();
			socket.setSoLinger(true, 0); // close() now sends a reset
			socket.close();
		}
		await("the server to close all 20 reset connections").atMost(RunningServer.CLIENT_TIMEOUT)
			.until(() -> server.closedConnections() >= closedBefore + 20);
		assertThat(server.fetch()).isEqualTo(DEFAULT_GREETING);
		assertThat(output.getAll()).doesNotContain("\tat ").doesNotContain(" ERROR ").doesNotContain(" WARN ");
	}

	@Test
	void clientThatConnectsAndClosesAtOnceLeavesNoStackTraceAndServerServesTheNext(CapturedOutput output)
			throws IOException {
		int closedBefore = server.closedConnections();
		for (int i = 0; i < 20; i++) {
			server.connect().close();
		}
		await("the server to close all 20 connections").atMost(RunningServer.CLIENT_TIMEOUT)
			.until(() -> server.closedConnections() >= closedBefore + 20);
		assertThat(server.fetch()).isEqualTo(DEFAULT_GREETING);
		assertThat(output.getAll()).doesNotContain("\tat ").doesNotContain(" ERROR ").doesNotContain(" WARN ");
	}

	@Test
	void eachConnectionIsLoggedLikeTheLabProgram(CapturedOutput output) throws IOException {
		try (Socket socket = server.connect()) {
			RunningServer.readToEnd(socket.getInputStream());
			String expected = "Connection established with /127.0.0.1:" + socket.getLocalPort();
			await("the connection log line").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> output.getAll().contains(expected));
		}
	}

	@Test
	void connectionLogCanBeTurnedOff(CapturedOutput output) throws IOException {
		try (RunningServer quiet = RunningServer.start("greeter.server.log-connections=false")) {
			int clientPort;
			try (Socket socket = quiet.connect()) {
				assertThat(RunningServer.readToEnd(socket.getInputStream())).isEqualTo(DEFAULT_GREETING);
				clientPort = socket.getLocalPort();
			}
			// The line would be written before the close: the drain selector writes it
			// when it takes the connection. (Lines of the other tests' server may still
			// arrive: the line comes after the greeting, so this one's port is looked
			// for.)
			await("the server to close the connection").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> quiet.closedConnections() >= 1);
			assertThat(output.getAll()).doesNotContain("Connection established with /127.0.0.1:" + clientPort);
		}
	}

	@Test
	void silentClientThatNeverClosesIsClosedAfterTheLinger() throws IOException {
		try (RunningServer lingering = RunningServer.start("greeter.server.linger=300ms");
				Socket socket = lingering.connect()) {
			// The greeting ends with the server's half-close, whatever the client does
			// next ...
			assertThat(RunningServer.readToEnd(socket.getInputStream())).isEqualTo(DEFAULT_GREETING);
			// ... and the client, which never closes, is let go when the linger ends.
			await("the server to close a client that stays silent").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> lingering.closedConnections() >= 1);
		}
	}

	@Test
	void clientThatKeepsSendingIsCutOffAfterTheLinger() throws IOException {
		try (RunningServer lingering = RunningServer.start("greeter.server.linger=300ms");
				Socket socket = lingering.connect()) {
			assertThat(RunningServer.readToEnd(socket.getInputStream())).isEqualTo(DEFAULT_GREETING);
			OutputStream output = socket.getOutputStream();
			byte[] chunk = new byte[1024];
			long deadline = System.nanoTime() + RunningServer.CLIENT_TIMEOUT.toNanos();
			boolean cutOff = false;
			while (!cutOff && System.nanoTime() < deadline) {
				try {
					output.write(chunk);
				}
				catch (IOException expected) {
					cutOff = true; // reset or broken pipe: the server closed on us
				}
			}
			assertThat(cutOff).as("the server closed a client that kept sending").isTrue();
			// The client can see the reset before the server has published its close
			// event.
			await("the server's close event").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> lingering.closedConnections() == 1);
		}
	}

	@Test
	void aBurstOfClientsThenALoneOneAreEachClosedSoonAfterTheirClientsClose() throws Exception {
		// A burst makes the drain selector poll for arrivals instead of being woken for
		// each; the lone client after it must not wait for a wake-up that never comes.
		// With a linger of 10 s, a connection left in the queue would stay open that
		// long.
		try (RunningServer draining = RunningServer.start("greeter.server.linger=10s")) {
			int clients = 200;
			assertEveryClientGetsTheWholeGreeting(draining, clients, 50);
			await("the burst's closes").atMost(Duration.ofSeconds(5))
				.until(() -> draining.closedConnections() == clients);
			for (int lone = 1; lone <= 3; lone++) {
				assertThat(draining.fetch()).isEqualTo(DEFAULT_GREETING);
				int closed = clients + lone;
				await("a lone client's close").atMost(Duration.ofSeconds(5))
					.until(() -> draining.closedConnections() == closed);
			}
		}
	}

	@Test
	void aClientThatKeepsSendingDoesNotHoldUpTheDrainOfTheOthers() throws Exception {
		// One drain selector reads every greeted connection of the listener: one that
		// never stops sending must not keep it from seeing the others close.
		try (RunningServer draining = RunningServer.start("greeter.server.linger=10s");
				Socket flooding = draining.connect()) {
			assertThat(RunningServer.readToEnd(flooding.getInputStream())).isEqualTo(DEFAULT_GREETING);
			AtomicBoolean stop = new AtomicBoolean();
			Thread sender = new Thread(() -> {
				byte[] chunk = new byte[64 * 1024];
				try {
					OutputStream output = flooding.getOutputStream();
					while (!stop.get()) {
						output.write(chunk);
					}
				}
				catch (IOException ex) {
					// closed: the test is over
				}
			});
			sender.start();
			try {
				for (int i = 0; i < 20; i++) {
					assertThat(draining.fetch()).isEqualTo(DEFAULT_GREETING);
				}
				// Long before the flooding client's linger of 10 s ends.
				await("the others' closes").atMost(Duration.ofSeconds(5))
					.until(() -> draining.closedConnections() == 20);
			}
			finally {
				stop.set(true);
				flooding.close();
				sender.join(RunningServer.CLIENT_TIMEOUT.toMillis());
			}
		}
	}

}
