package dev.greeter.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.RunningServer;
import dev.greeter.deploy.Haproxy;
import dev.greeter.Ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real HAProxy (Debian's {@code haproxy}) in front of the server, sending PROXY
 * protocol v1 and v2 headers: the client connects from 127.0.0.2, HAProxy connects to the
 * server from 127.0.0.1, and the greeting must name 127.0.0.2 and the client's own port.
 */
@ExtendWith(OutputCaptureExtension.class)
class HaproxyIT {

	private static final InetAddress CLIENT = address("127.0.0.2");

	@TempDir
	Path directory;

	private RunningServer server;

	private Haproxy haproxy;

	private int v1Port;

	private int v2Port;

	@BeforeEach
	void start() throws Exception {
		Haproxy.require();
		this.server = RunningServer.start("greeter.server.proxy-protocol=required",
				"greeter.greeting=${client.address} ${client.port}");
		this.v1Port = Ports.free();
		this.v2Port = Ports.free();
		this.haproxy = Haproxy.start(this.directory, Haproxy.TCP_DEFAULTS + """
				frontend send_proxy_v1
				  bind 127.0.0.1:%d
				  default_backend greeter_v1
				frontend send_proxy_v2
				  bind 127.0.0.1:%d
				  default_backend greeter_v2
				backend greeter_v1
				  server greeter 127.0.0.1:%d send-proxy
				backend greeter_v2
				  server greeter 127.0.0.1:%d send-proxy-v2
				""".formatted(this.v1Port, this.v2Port, this.server.port(), this.server.port()));
		await("HAProxy to listen").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> listening(this.v1Port) && listening(this.v2Port));
	}

	@AfterEach
	void stop() throws Exception {
		if (this.haproxy != null) {
			this.haproxy.close();
			System.out.println(this.haproxy.log());
		}
		if (this.server != null) {
			this.server.close();
		}
	}

	@Test
	void sendProxyV1DeliversTheRealClientAddress(CapturedOutput output) throws Exception {
		assertRealClientArrives(this.v1Port, output);
		assertThat(counter("greeter.proxy.headers", "version", "1")).isEqualTo(1);
	}

	@Test
	void sendProxyV2DeliversTheRealClientAddress(CapturedOutput output) throws Exception {
		assertRealClientArrives(this.v2Port, output);
		assertThat(counter("greeter.proxy.headers", "version", "2")).isEqualTo(1);
	}

	@Test
	void clientBypassingTheProxyIsRefused() throws Exception {
		try (Socket socket = new Socket()) {
			socket.bind(new InetSocketAddress(CLIENT, 0));
			socket.connect(new InetSocketAddress("127.0.0.1", this.server.port()), 10_000);
			socket.setSoTimeout(20_000);
			socket.shutdownOutput(); // sends nothing, no header
			assertThat(socket.getInputStream().readAllBytes()).isEmpty();
		}
		await("the refusal counted").atMost(Duration.ofSeconds(20))
			.until(() -> counter("greeter.proxy.rejected", "reason", "missing") == 1);
	}

	private void assertRealClientArrives(int proxyPort, CapturedOutput output) throws IOException {
		try (Socket socket = new Socket()) {
			socket.bind(new InetSocketAddress(CLIENT, 0));
			socket.connect(new InetSocketAddress("127.0.0.1", proxyPort), 10_000);
			socket.setSoTimeout(20_000);
			String greeting = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(greeting).isEqualTo("127.0.0.2 " + socket.getLocalPort() + "\r\n");
			assertThat(output.getAll()).containsPattern("Connection established with /127\\.0\\.0\\.2:"
					+ socket.getLocalPort() + " \\(via /127\\.0\\.0\\.1:\\d+\\)");
		}
	}

	private double counter(String name, String... tags) {
		return this.server.context().getBean(MeterRegistry.class).get(name).tags(tags).counter().count();
	}

	// Read from the kernel's socket table, not probed with a connection: HAProxy would
	// pass a probe on to the server, which would count it.
	private static boolean listening(int port) throws IOException {
		String local = String.format(" 0100007F:%04X ", port);
		return Files.readAllLines(Path.of("/proc/net/tcp"))
			.stream()
			.anyMatch((line) -> line.contains(local)
					&& line.substring(line.indexOf(local) + local.length()).trim().split("\\s+")[1].equals("0A"));
	}

	private static InetAddress address(String literal) {
		try {
			return InetAddress.getByName(literal);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
