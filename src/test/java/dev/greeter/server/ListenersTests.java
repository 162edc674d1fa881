package dev.greeter.server;

import java.io.IOException;
import java.io.Reader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import com.jayway.jsonpath.JsonPath;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.Meters;
import dev.greeter.RunningServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several listeners in one server, over real sockets on 127.0.0.1: TCP and UDP, each with
 * its own greeting, mode and line ending, each with its own port, health and meters.
 */
@ExtendWith(OutputCaptureExtension.class)
class ListenersTests {

	private static final int TIMEOUT_MILLIS = (int) RunningServer.CLIENT_TIMEOUT.toMillis();

	@Test
	void thePortFileHasEveryListenersPortOnceReadyAndIsGoneAfterTheStop(@TempDir Path directory) throws Exception {
		Path file = directory.resolve("ports");
		Properties ports = new Properties();
		try (RunningServer server = RunningServer.startWithActuator("greeter.server.port-file=" + file,
				"greeter.listeners.plain.greeting=A", "greeter.listeners.syslog.protocol=udp")) {
			try (Reader reader = Files.newBufferedReader(file)) {
				ports.load(reader);
			}
			assertThat(ports).containsOnlyKeys("local.greeter.listener.plain.port",
					"local.greeter.listener.syslog.port", "local.server.port");
			assertThat(ports.getProperty("local.greeter.listener.plain.port"))
				.isEqualTo(String.valueOf(server.port("plain")));
			assertThat(ports.getProperty("local.greeter.listener.syslog.port"))
				.isEqualTo(String.valueOf(server.port("syslog")));
			assertThat(ports.getProperty("local.server.port")).isEqualTo(String.valueOf(server.actuator().getPort()));
			assertThat(fetch(Integer.parseInt(ports.getProperty("local.greeter.listener.plain.port"))))
				.isEqualTo("A\r\n");
			assertThat(directory.resolve("ports.partial")).doesNotExist();
		}
		assertThat(file).doesNotExist();
	}

	@Test
	void eachListenerServesItsOwnGreetingOnItsOwnPort(CapturedOutput output) throws Exception {
		try (RunningServer server = RunningServer.startWithActuator("greeter.listeners.plain.greeting=A",
				"greeter.listeners.unix.greeting=B on ${server.port}", "greeter.listeners.unix.line-ending=lf",
				"greeter.listeners.syslog.protocol=udp", "greeter.listeners.syslog.greeting=U")) {
			int plain = server.port("plain");
			int unix = server.port("unix");
			int syslog = server.port("syslog");
			assertThat(List.of(plain, unix, syslog)).doesNotHaveDuplicates().doesNotContain(0);
			assertThat(fetch(plain)).isEqualTo("A\r\n");
			assertThat(fetch(unix)).isEqualTo("B on " + unix + "\n");
			assertThat(ask(syslog, "")).isEqualTo("U\r\n");
			assertThat(output.getAll())
				.containsOnlyOnce("Greeting server listening on TCP port " + plain + " (127.0.0.1), listener 'plain'")
				.containsOnlyOnce(
						"Greeting server listening on UDP port " + syslog + " (127.0.0.1), listener 'syslog'");
			HttpResponse<String> readiness = server.get("/health/readiness");
			assertThat(readiness.statusCode()).isEqualTo(200);
			for (String listener : List.of("plain", "unix", "syslog")) {
				assertThat(JsonPath.<String>read(readiness.body(),
						"$.components.greetingServer.components." + listener + ".status"))
					.as(listener)
					.isEqualTo("UP");
			}
			String info = server.get("/info").body();
			assertThat(JsonPath.<String>read(info, "$.greetings.unix.origin"))
				.isEqualTo("greeter.listeners.unix.greeting");
			assertThat(JsonPath.<String>read(info, "$.greetings.syslog.mode")).isEqualTo("greeting");
			await().atMost(RunningServer.CLIENT_TIMEOUT).until(() -> server.closedConnections() == 2);
			String scrape = server.get("/prometheus").body();
			assertThat(Meters.scraped(scrape, "greeter_connections_opened_total{listener=\"plain\"}")).isEqualTo(1);
			assertThat(Meters.scraped(scrape, "greeter_connections_opened_total{listener=\"unix\"}")).isEqualTo(1);
			assertThat(Meters.scraped(scrape, "greeter_datagrams_received_total{listener=\"syslog\"}")).isEqualTo(1);
			assertThat(Meters.scraped(scrape, "greeter_datagram_replies_total{listener=\"syslog\"}")).isEqualTo(1);
			assertThat(Meters.scraped(scrape, "greeter_server_listening{listener=\"syslog\"}")).isEqualTo(1);
			assertThat(scrape).contains("greeter_greeting_info{listener=\"unix\",mode=\"greeting\"")
				.doesNotContain("greeter_connections_opened_total{listener=\"syslog\"}")
				.doesNotContain("listener=\"default\"");
		}
	}

	@Test
	void udpServesQuoteOfTheDayAndDaytimeAsTheRfcsDefineThem() throws Exception {
		try (RunningServer server = RunningServer.start("greeter.listeners.qotd.protocol=udp",
				"greeter.listeners.qotd.mode=qotd", "greeter.listeners.qotd.greeting=line one\nline two",
				"greeter.listeners.daytime.protocol=udp", "greeter.listeners.daytime.mode=daytime")) {
			// RFC 865: whatever the datagram carries is ignored.
			assertThat(ask(server.port("qotd"), "anything")).isEqualTo("line one\r\nline two\r\n");
			assertThat(ask(server.port("daytime"), ""))
				.matches("[A-Z][a-z]+day, [A-Z][a-z]+ \\d{1,2}, \\d{4} \\d{2}:\\d{2}:\\d{2}-UTC\r\n");
		}
	}

	@Test
	void udpRepliesAreRateLimitedPerSourceAndInTotalAndEveryDropIsCounted(CapturedOutput output) throws Exception {
		try (RunningServer server = RunningServer.start("greeter.listeners.each.protocol=udp",
				"greeter.listeners.each.udp.replies-per-second-per-source=2", "greeter.listeners.all.protocol=udp",
				"greeter.listeners.all.udp.replies-per-second=3")) {
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			int each = server.port("each");
			int all = server.port("all");
			int replies;
			try (DatagramSocket socket = client(each)) {
				replies = burst(socket, 20);
			}
			// A burst of a second's worth, and what refilled while the burst was sent.
			assertThat(replies).isBetween(2, 3);
			await().atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> Meters.count(registry, "greeter.datagrams.received", "listener", "each") == 20);
			assertThat(Meters.count(registry, "greeter.datagram.replies", "listener", "each")).isEqualTo(replies);
			assertThat(Meters.count(registry, "greeter.datagrams.dropped", "listener", "each", "reason", "source_rate"))
				.isEqualTo(20 - replies);
			List<DatagramSocket> sources = new ArrayList<>();
			try {
				int answered = 0;
				for (int i = 0; i < 10; i++) {
					DatagramSocket source = client(all);
					sources.add(source);
					send(source, "");
				}
				for (DatagramSocket source : sources) {
					answered += (receive(source, 500) != null) ? 1 : 0;
				}
				assertThat(answered).isBetween(3, 4);
				await().atMost(RunningServer.CLIENT_TIMEOUT)
					.until(() -> Meters.count(registry, "greeter.datagrams.received", "listener", "all") == 10);
				assertThat(
						Meters.count(registry, "greeter.datagrams.dropped", "listener", "all", "reason", "total_rate"))
					.isEqualTo(10 - answered);
			}
			finally {
				sources.forEach(DatagramSocket::close);
			}
			assertThat(output.getAll()).contains("datagram(s) got no reply on UDP listener 'each'")
				.contains("source_rate");
		}
	}

	@Test
	void tcpAndUdpOnIpv6LoopbackNameTheClientInTheShortForm(CapturedOutput output) throws Exception {
		try (RunningServer server = RunningServer.start("greeter.server.address=::1",
				"greeter.listeners.tcp6.greeting=${client.address}", "greeter.listeners.udp6.protocol=udp",
				"greeter.listeners.udp6.greeting=${client.address} ${client.port}")) {
			InetAddress loopback = InetAddress.getByName("::1");
			try (Socket socket = new Socket(loopback, server.port("tcp6"))) {
				socket.setSoTimeout(TIMEOUT_MILLIS);
				assertThat(new String(RunningServer.readToEnd(socket.getInputStream()), StandardCharsets.UTF_8))
					.isEqualTo("::1\r\n");
			}
			try (DatagramSocket socket = client(new InetSocketAddress(loopback, server.port("udp6")))) {
				send(socket, "");
				assertThat(receive(socket, TIMEOUT_MILLIS)).isEqualTo("::1 " + socket.getLocalPort() + "\r\n");
			}
			assertThat(output.getAll()).containsPattern("Connection established with /\\[::1\\]:\\d+")
				.contains("listening on UDP port " + server.port("udp6") + " (0:0:0:0:0:0:0:1)");
		}
	}

	@Test
	void aListenerLeavesUnsetWhatTheServerSettings() throws Exception {
		try (RunningServer server = RunningServer.start("greeter.greeting=Inherited", "greeter.line-ending=lf",
				"greeter.listeners.one.port=0", "greeter.listeners.two.mode=qotd")) {
			assertThat(fetch(server.port("one"))).isEqualTo("Inherited\n");
			// qotd always ends its lines with CRLF.
			assertThat(fetch(server.port("two"))).isEqualTo("Inherited\r\n");
		}
	}

	private static String fetch(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
			socket.setSoTimeout(TIMEOUT_MILLIS);
			return new String(RunningServer.readToEnd(socket.getInputStream()), StandardCharsets.UTF_8);
		}
	}

	private static String ask(int port, String payload) throws IOException {
		try (DatagramSocket socket = client(port)) {
			send(socket, payload);
			String reply = receive(socket, TIMEOUT_MILLIS);
			assertThat(reply).as("a reply within %d ms", TIMEOUT_MILLIS).isNotNull();
			return reply;
		}
	}

	// Not connected: the JDK's connected datagram socket sends nothing for an empty
	// datagram. Whom it was "connected" to is kept, and checked on every reply.
	private static DatagramSocket client(int port) throws IOException {
		return client(new InetSocketAddress("127.0.0.1", port));
	}

	private static DatagramSocket client(InetSocketAddress server) throws IOException {
		DatagramSocket socket = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
		SERVERS.put(socket, server);
		return socket;
	}

	private static final Map<DatagramSocket, InetSocketAddress> SERVERS = new ConcurrentHashMap<>();

	private static void send(DatagramSocket socket, String payload) throws IOException {
		byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
		socket.send(new DatagramPacket(bytes, bytes.length, SERVERS.get(socket)));
	}

	// The reply must come from the address and port the request went to.
	private static String receive(DatagramSocket socket, int timeoutMillis) throws IOException {
		socket.setSoTimeout(timeoutMillis);
		byte[] buffer = new byte[2048];
		DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
		try {
			socket.receive(packet);
		}
		catch (SocketTimeoutException ex) {
			return null;
		}
		assertThat(packet.getSocketAddress()).as("the reply's source").isEqualTo(SERVERS.get(socket));
		return new String(buffer, 0, packet.getLength(), StandardCharsets.UTF_8);
	}

	// Sends them all at once, then counts the replies that come.
	private static int burst(DatagramSocket socket, int datagrams) throws IOException {
		for (int i = 0; i < datagrams; i++) {
			send(socket, "");
		}
		int replies = 0;
		while (receive(socket, 500) != null) {
			replies++;
		}
		return replies;
	}

}
