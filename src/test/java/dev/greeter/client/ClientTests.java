package dev.greeter.client;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.integration.ip.tcp.connection.TcpConnectionCloseEvent;
import org.springframework.integration.ip.tcp.connection.TcpConnectionEvent;
import org.springframework.integration.ip.tcp.connection.TcpConnectionOpenEvent;

import dev.greeter.Ports;
import dev.greeter.GreeterApplication;
import dev.greeter.RunningServer;
import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The client profile as a script sees it: what reaches standard output and standard
 * error, and the exit status, against the real server and against servers that misbehave
 * on purpose.
 */
@ExtendWith(OutputCaptureExtension.class)
class ClientTests {

	private static final String GREETING = GreetingProperties.DEFAULT_GREETING;

	@Test
	void printsExactlyTheGreetingAndExitsZero(CapturedOutput output) {
		try (RunningServer server = RunningServer.start()) {
			Printed printed = new Printed(output);
			int status = runClient("--greeter.client.port=" + server.port());
			assertThat(status).isZero();
			assertThat(printed.out()).isEqualTo(GREETING + "\n");
			assertThat(printed.err()).isEmpty();
		}
	}

	@Test
	void printsAMultiLineGreetingWhole(CapturedOutput output) throws Exception {
		try (ScriptedServer server = ScriptedServer.start((socket, n) -> write(socket, "line one\r\nline two\r\n"))) {
			assertThat(runClient("--greeter.client.port=" + server.port())).isZero();
			assertThat(output.getOut()).isEqualTo("line one\r\nline two\n");
		}
	}

	@Test
	void closedPortExitsThreeWithOneLine(CapturedOutput output) throws Exception {
		int port = Ports.free();
		assertThat(runClient("--greeter.client.port=" + port)).isEqualTo(3);
		assertThat(output.getOut()).isEmpty();
		assertThat(output.getErr())
			.isEqualTo("tcp-greeter: cannot connect to 127.0.0.1:" + port + ": Connection refused\n");
	}

	@Test
	void unknownHostExitsThree(CapturedOutput output) {
		assertThat(runClient("--greeter.client.host=no-such-host.invalid")).isEqualTo(3);
		assertThat(output.getErr()).isEqualTo("tcp-greeter: unknown host no-such-host.invalid\n");
	}

	@Test
	void serverThatNeverWritesExitsFourWithOneLine(CapturedOutput output) throws Exception {
		CountDownLatch released = new CountDownLatch(1);
		try (ScriptedServer server = ScriptedServer.start((socket, n) -> released.await(30, TimeUnit.SECONDS))) {
			assertThat(runClient("--greeter.client.port=" + server.port(), "--greeter.client.timeout=300ms"))
				.isEqualTo(4);
			assertThat(output.getOut()).isEmpty();
			assertThat(output.getErr()).isEqualTo("tcp-greeter: no complete greeting from 127.0.0.1:" + server.port()
					+ " within 300 ms (greeter.client.timeout)\n");
		}
		finally {
			released.countDown();
		}
	}

	@Test
	void serverThatSendsMoreThanTheMaximumExitsFiveWithOneLine(CapturedOutput output) throws Exception {
		try (ScriptedServer server = ScriptedServer.start((socket, n) -> write(socket, "x".repeat(100)))) {
			assertThat(runClient("--greeter.client.port=" + server.port(), "--greeter.client.max-size=64B"))
				.isEqualTo(5);
			assertThat(output.getOut()).isEmpty();
			assertThat(output.getErr()).isEqualTo("tcp-greeter: the greeting from 127.0.0.1:" + server.port()
					+ " is larger than 64B (greeter.client.max-size)\n");
		}
	}

	@Test
	void serverThatResetsMidGreetingExitsSixWithOneLine(CapturedOutput output) throws Exception {
		try (ScriptedServer server = ScriptedServer.start((socket, n) -> {
			write(socket, "Hello Wor");
			socket.setSoLinger(true, 0); // the close becomes a reset
		})) {
			assertThat(runClient("--greeter.client.port=" + server.port())).isEqualTo(6);
			assertThat(output.getOut()).isEmpty();
			assertThat(output.getErr()).startsWith("tcp-greeter: connection to 127.0.0.1:" + server.port()
					+ " failed before the greeting ended: Connection reset");
			assertThat(output.getErr().lines()).hasSize(1);
		}
	}

	@Test
	void replyThatIsNotTextExitsNineWithOneLineAndPrintsNothing(CapturedOutput output) throws Exception {
		byte[][] replies = { { 'h', 'i', (byte) 0xC3, 0x28, '\r', '\n' }, { 'h', 'i', 0x1B, '[', '3', '1', 'm' },
				{ 0, 0, 0, 1 } };
		String[] problems = { "invalid UTF-8 at byte 2", "control byte 0x1B at byte 2", "control byte 0x00 at byte 0" };
		for (int i = 0; i < replies.length; i++) {
			byte[] reply = replies[i];
			try (ScriptedServer server = ScriptedServer.start((socket, n) -> socket.getOutputStream().write(reply))) {
				Printed printed = new Printed(output);
				assertThat(runClient("--greeter.client.port=" + server.port())).isEqualTo(9);
				assertThat(printed.out()).as("nothing printed as a greeting").isEmpty();
				assertThat(printed.err()).isEqualTo("tcp-greeter: the reply from 127.0.0.1:" + server.port()
						+ " is not text: " + problems[i] + "\n");
			}
		}
	}

	@Test
	void textInAnyScriptWithTabsAndLineEndingsIsAGreeting(CapturedOutput output) throws Exception {
		try (ScriptedServer server = ScriptedServer.start((socket, n) -> write(socket, "Grüße\tこんにちは\r\n"))) {
			assertThat(runClient("--greeter.client.port=" + server.port())).isZero();
			assertThat(output.getOut()).isEqualTo("Grüße\tこんにちは\n");
		}
	}

	@Test
	void serverThatClosesWithoutAGreetingExitsSeven(CapturedOutput output) throws Exception {
		try (ScriptedServer server = ScriptedServer.start((socket, n) -> {
		})) {
			assertThat(runClient("--greeter.client.port=" + server.port())).isEqualTo(7);
			assertThat(output.getErr())
				.isEqualTo("tcp-greeter: 127.0.0.1:" + server.port() + " closed the connection without a greeting\n");
		}
	}

	@Test
	void countAndConcurrencyMakeThatManyConnectionsAtMostThatManyAtOnce(CapturedOutput output) throws Exception {
		try (ScriptedServer server = ScriptedServer.start((socket, n) -> {
			// Hold each connection a little, so that connections overlap as much as the
			// client allows.
			Thread.sleep(30);
			write(socket, GREETING + "\r\n");
		})) {
			OpenConnections open = new OpenConnections();
			assertThat(runClient(open, "--greeter.client.port=" + server.port(), "--greeter.client.count=24",
					"--greeter.client.concurrency=4"))
				.isZero();
			assertThat(output.getOut().lines()).hasSize(24).containsOnly(GREETING);
			assertThat(server.accepted()).isEqualTo(24);
			assertThat(open.opened()).isEqualTo(24);
			assertThat(open.mostAtOnce()).as("client connections open at once").isBetween(2, 4);
		}
	}

	@Test
	void summaryShowsEachDistinctGreetingWithCountAndShare(CapturedOutput output) throws Exception {
		try (ScriptedServer server = ScriptedServer
			.start((socket, n) -> write(socket, (n % 4 == 0) ? "Hello from b\r\n" : "Hello from a\r\n"))) {
			assertThat(runClient("--greeter.client.port=" + server.port(), "--greeter.client.count=20",
					"--greeter.client.concurrency=1", "--greeter.client.summary=true"))
				.isZero();
			assertThat(output.getOut()).isEqualTo("""
					 count   share  greeting
					    15   75.0%  Hello from a
					     5   25.0%  Hello from b
					""");
			assertThat(output.getErr()).isEmpty();
		}
	}

	@Test
	void anyFailedConnectionAmongManyMakesTheExitNonZero(CapturedOutput output) throws Exception {
		try (ScriptedServer server = ScriptedServer.start((socket, n) -> {
			if (n % 5 != 4) {
				write(socket, GREETING + "\r\n");
			}
		})) {
			assertThat(runClient("--greeter.client.port=" + server.port(), "--greeter.client.count=10")).isEqualTo(7);
			assertThat(output.getOut().lines()).hasSize(8);
			List<String> errors = new ArrayList<>(output.getErr().lines().toList());
			assertThat(errors).hasSize(3).last().isEqualTo("tcp-greeter: 2 of 10 connections failed");
		}
	}

	@Test
	void expectThatMatchesExitsZero(CapturedOutput output) {
		try (RunningServer server = RunningServer.start()) {
			Printed printed = new Printed(output);
			assertThat(runClient("--greeter.client.port=" + server.port(), "--greeter.client.expect=^Hello World!"))
				.isZero();
			assertThat(printed.err()).isEmpty();
		}
	}

	@Test
	void expectThatDoesNotMatchExitsEight(CapturedOutput output) {
		try (RunningServer server = RunningServer.start()) {
			Printed printed = new Printed(output);
			assertThat(runClient("--greeter.client.port=" + server.port(), "--greeter.client.expect=^Goodbye"))
				.isEqualTo(8);
			assertThat(printed.out()).isEqualTo(GREETING + "\n");
			assertThat(printed.err())
				.isEqualTo("tcp-greeter: greeting does not match greeter.client.expect '^Goodbye': " + GREETING + "\n");
		}
	}

	@Test
	void clientNeverWritesToTheServer() throws Exception {
		List<Integer> firstBytes = new ArrayList<>();
		try (ScriptedServer server = ScriptedServer.start((socket, n) -> {
			write(socket, GREETING + "\r\n");
			socket.shutdownOutput();
			InputStream input = socket.getInputStream();
			socket.setSoTimeout(10_000);
			synchronized (firstBytes) {
				firstBytes.add(input.read()); // -1: the client closed without writing a
												// byte
			}
		})) {
			assertThat(runClient("--greeter.client.port=" + server.port(), "--greeter.client.count=3")).isZero();
		}
		assertThat(firstBytes).containsExactly(-1, -1, -1);
	}

	@Test
	void invalidExpectStopsStartupNamingTheProperty(CapturedOutput output) {
		assertThatException().isThrownBy(() -> runClient("--greeter.client.expect=(unclosed"));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("greeter.client.expect is '(unclosed' (from \"greeter.client.expect\" from property source "
					+ "\"commandLineArgs\"), but it must be a valid regular expression (Unclosed group near index 9).");
	}

	@Test
	void zeroCountStopsStartupNamingTheProperty(CapturedOutput output) {
		assertThatException().isThrownBy(() -> runClient("--greeter.client.count=0"));
		assertThat(output.getAll()).contains("Property: greeter.client.count");
	}

	@Test
	void udpClientSendsOneEmptyDatagramAndPrintsTheReply(CapturedOutput output) {
		try (RunningServer server = RunningServer.start("greeter.listeners.qotd.protocol=udp",
				"greeter.listeners.qotd.greeting=${client.address} asked")) {
			int port = server.port("qotd");
			Printed printed = new Printed(output);
			assertThat(runClient("--greeter.client.protocol=udp", "--greeter.client.port=" + port,
					"--greeter.client.count=3"))
				.isZero();
			assertThat(printed.out()).isEqualTo("127.0.0.1 asked\n".repeat(3));
			assertThat(printed.err()).isEmpty();
		}
	}

	@Test
	void udpClientAgainstAClosedPortExitsThreeWithOneLine(CapturedOutput output) throws Exception {
		int port;
		try (DatagramSocket free = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
			port = free.getLocalPort();
		}
		Printed printed = new Printed(output);
		assertThat(runClient("--greeter.client.protocol=udp", "--greeter.client.port=" + port)).isEqualTo(3);
		assertThat(printed.out()).isEmpty();
		assertThat(printed.err()).isEqualTo("tcp-greeter: cannot reach 127.0.0.1:" + port
				+ " over UDP: port unreachable (nothing listens there)\n");
	}

	@Test
	void udpClientAsksAgainAndExitsFourWhenNoReplyComes(CapturedOutput output) throws Exception {
		try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
			Printed printed = new Printed(output);
			assertThat(runClient("--greeter.client.protocol=udp", "--greeter.client.port=" + silent.getLocalPort(),
					"--greeter.client.timeout=600ms", "--greeter.client.udp.retries=2",
					"--greeter.client.udp.payload=ping"))
				.isEqualTo(4);
			assertThat(printed.err()).isEqualTo("tcp-greeter: no reply from 127.0.0.1:" + silent.getLocalPort()
					+ " to 3 datagram(s) within greeter.client.timeout (600 ms)\n");
			// The three datagrams reached the server: UDP loses, the client asks again.
			silent.setSoTimeout(1000);
			byte[] buffer = new byte[16];
			for (int i = 0; i < 3; i++) {
				DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
				silent.receive(packet);
				assertThat(new String(buffer, 0, packet.getLength(), StandardCharsets.UTF_8)).isEqualTo("ping");
			}
		}
	}

	@Test
	void udpClientWithTlsStopsStartupNamingTheProperty(CapturedOutput output) {
		assertThatException()
			.isThrownBy(() -> runClient("--greeter.client.protocol=udp", "--greeter.client.ssl.bundle=any"));
		assertThat(output.getAll()).contains("greeter.client.ssl.bundle is for TCP");
	}

	/**
	 * Run the client profile as {@code main} does, without its {@code System.exit}.
	 */
	@Test
	void aProxyHeaderLetsTheClientCheckAListenerThatRequiresOne(CapturedOutput output) {
		try (RunningServer server = RunningServer.start("greeter.server.proxy-protocol=required",
				"greeter.greeting=${client.address} ${client.port}")) {
			String port = "--greeter.client.port=" + server.port();
			for (String version : List.of("v1", "v2")) {
				int outStart = output.getOut().length();
				assertThat(runClient(port, "--greeter.client.proxy.version=" + version,
						"--greeter.client.proxy.source-address=203.0.113.7", "--greeter.client.proxy.source-port=4444"))
					.as(version)
					.isZero();
				assertThat(output.getOut().substring(outStart)).isEqualTo("203.0.113.7 4444\n");
			}
			// Without a source: the connection's own address and port.
			int outStart = output.getOut().length();
			assertThat(runClient(port, "--greeter.client.proxy.version=v2")).isZero();
			assertThat(output.getOut().substring(outStart)).matches("127\\.0\\.0\\.1 \\d+\n");
			// Watch mode sends it on every connection.
			outStart = output.getOut().length();
			assertThat(runClient(port, "--greeter.client.proxy.version=v1",
					"--greeter.client.proxy.source-address=203.0.113.7", "--greeter.client.proxy.source-port=4444",
					"--greeter.client.duration=300ms", "--greeter.client.rate=10", "--greeter.client.format=json"))
				.isZero();
			String summary = output.getOut().substring(outStart).lines().reduce((a, b) -> b).orElseThrow();
			assertThat(JsonPath.<Integer>read(summary, "$.failed")).isZero();
			assertThat(JsonPath.<String>read(summary, "$.greetings[0].greeting")).isEqualTo("203.0.113.7 4444");
			// And without the header, the listener refuses: the client says so, not 0.
			assertThat(runClient(port)).isNotZero();
		}
	}

	@Test
	void aProxyHeaderOverUdpStopsStartUpNamingTheProperty(CapturedOutput output) {
		assertThatException().isThrownBy(() -> runClient("--greeter.client.protocol=udp",
				"--greeter.client.proxy.version=v1", "--greeter.client.port=9"));
		assertThat(output.getAll()).contains("greeter.client.proxy.version is for TCP");
	}

	static int runClient(String... arguments) {
		return runClient(null, arguments);
	}

	static int runClient(@Nullable ApplicationListener<?> listener, String... arguments) {
		List<String> all = new ArrayList<>(List.of("--spring.profiles.active=client"));
		if (Stream.of(arguments).noneMatch((argument) -> argument.startsWith("--greeter.client.host="))) {
			all.add("--greeter.client.host=127.0.0.1");
		}
		all.addAll(List.of(arguments));
		SpringApplicationBuilder builder = new SpringApplicationBuilder(GreeterApplication.class);
		if (listener != null) {
			builder.listeners(listener);
		}
		ConfigurableApplicationContext context = builder.run(all.toArray(String[]::new));
		return SpringApplication.exit(context);
	}

	/**
	 * What the client printed: the output captured since this object was made, so that
	 * logs of a server started earlier in the same test do not count.
	 */
	private static final class Printed {

		private final CapturedOutput output;

		private final int outStart;

		private final int errStart;

		Printed(CapturedOutput output) {
			this.output = output;
			this.outStart = output.getOut().length();
			this.errStart = output.getErr().length();
		}

		String out() {
			return this.output.getOut().substring(this.outStart);
		}

		String err() {
			return this.output.getErr().substring(this.errStart);
		}

	}

	/**
	 * Counts the client's open connections from its own connection events. It runs before
	 * any other listener, so a slot freed by a close is counted as free before a new
	 * connection can use it.
	 */
	private static final class OpenConnections implements ApplicationListener<TcpConnectionEvent>, Ordered {

		private final AtomicInteger open = new AtomicInteger();

		private final AtomicInteger most = new AtomicInteger();

		private final AtomicInteger opened = new AtomicInteger();

		@Override
		public void onApplicationEvent(TcpConnectionEvent event) {
			if (event instanceof TcpConnectionOpenEvent) {
				this.opened.incrementAndGet();
				this.most.accumulateAndGet(this.open.incrementAndGet(), Math::max);
			}
			else if (event instanceof TcpConnectionCloseEvent) {
				this.open.decrementAndGet();
			}
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

		int mostAtOnce() {
			return this.most.get();
		}

		int opened() {
			return this.opened.get();
		}

	}

	static void write(java.net.Socket socket, String text) throws Exception {
		OutputStream output = socket.getOutputStream();
		output.write(text.getBytes(StandardCharsets.UTF_8));
		output.flush();
	}

}
