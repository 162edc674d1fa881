package dev.greeter.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.RunningServer;
import dev.greeter.proxy.ProxyHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code greeter.server.proxy-protocol} over real connections: the real client's address
 * arrives, and no kind of bad header gets a greeting or holds the server.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProxyProtocolTests {

	private static final String WHO = "greeter.greeting=${client.address} ${client.port}";

	private static final String REQUIRED = "greeter.server.proxy-protocol=required";

	private static final Pattern REJECTION_REPORT = Pattern
		.compile("(\\d+) connection\\(s\\) closed without a greeting since the last report");

	@Test
	void v1HeaderNamesTheRealClient(CapturedOutput output) throws IOException {
		try (RunningServer server = RunningServer.start(REQUIRED, WHO); Socket socket = server.connect()) {
			send(socket, ProxyHeaders.v1("PROXY TCP4 203.0.113.7 192.0.2.1 40001 8000"));
			assertThat(read(socket)).isEqualTo("203.0.113.7 40001\r\n");
			assertThat(output.getAll()).contains(
					"Connection established with /203.0.113.7:40001 (via /127.0.0.1:" + socket.getLocalPort() + ")");
			assertThat(counter(server, "greeter.proxy.headers", "version", "1")).isEqualTo(1);
		}
	}

	@Test
	void v1Tcp6AndUnknown() throws IOException {
		try (RunningServer server = RunningServer.start(REQUIRED, WHO)) {
			assertThat(proxied(server, ProxyHeaders.v1("PROXY TCP6 2001:db8::7 2001:db8::1 40001 8000")))
				.isEqualTo("2001:db8::7 40001\r\n");
			try (Socket socket = server.connect()) {
				send(socket, ProxyHeaders.v1("PROXY UNKNOWN"));
				assertThat(read(socket)).as("the proxy could not tell: the connection's own address")
					.isEqualTo("127.0.0.1 " + socket.getLocalPort() + "\r\n");
			}
		}
	}

	@Test
	void v2HeaderNamesTheRealClientWithTlvsSkipped() throws IOException {
		try (RunningServer server = RunningServer.start(REQUIRED, WHO)) {
			assertThat(proxied(server, ProxyHeaders.v2("198.51.100.9", 50123, "192.0.2.1", 8000)))
				.isEqualTo("198.51.100.9 50123\r\n");
			byte[] awsTlv = { (byte) 0xEA, 0, 5, 1, 'v', 'p', 'c', 'e' };
			assertThat(proxied(server, ProxyHeaders.v2("2001:db8::42", 443, "2001:db8::1", 8000, awsTlv)))
				.isEqualTo("2001:db8::42 443\r\n");
			try (Socket socket = server.connect()) {
				send(socket, ProxyHeaders.v2Raw(0x20, 0x00, new byte[0]));
				assertThat(read(socket)).as("LOCAL, a health check: the connection's own address")
					.isEqualTo("127.0.0.1 " + socket.getLocalPort() + "\r\n");
			}
			assertThat(counter(server, "greeter.proxy.headers", "version", "2")).isEqualTo(3);
		}
	}

	@Test
	void headerInPiecesAndDataAfterItStillGreet() throws Exception {
		try (RunningServer server = RunningServer.start(REQUIRED, WHO); Socket socket = server.connect()) {
			byte[] header = ProxyHeaders.v1("PROXY TCP4 203.0.113.7 192.0.2.1 40001 8000");
			OutputStream out = socket.getOutputStream();
			out.write(header, 0, 10);
			out.flush();
			Thread.sleep(100);
			out.write(header, 10, header.length - 10);
			out.write("client data the server throws away\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			assertThat(read(socket)).isEqualTo("203.0.113.7 40001\r\n");
		}
	}

	@Test
	void requiredRefusesEveryKindOfBadStart(CapturedOutput output) throws Exception {
		// One interval for the whole test, however slow the machine: its one report is
		// the first refusal's.
		try (RunningServer server = RunningServer.start(REQUIRED, WHO, "greeter.server.proxy-protocol-timeout=300ms",
				"greeter.server.report-interval=1h")) {
			assertThat(refused(server, new byte[0], false)).as("silent client").isEmpty();
			assertThat(refused(server, "hello\r\n".getBytes(StandardCharsets.US_ASCII), false)).as("no header")
				.isEmpty();
			assertThat(refused(server, new byte[0], true)).as("closed at once").isEmpty();
			assertThat(refused(server, ProxyHeaders.v1("PROXY TCP4 999.0.113.7 192.0.2.1 40001 8000"), false))
				.as("malformed")
				.isEmpty();
			assertThat(refused(server, "PROXY TCP4 203.0".getBytes(StandardCharsets.US_ASCII), true)).as("truncated")
				.isEmpty();
			assertThat(refused(server, "PROXY TCP4 203.0".getBytes(StandardCharsets.US_ASCII), false))
				.as("stalled mid-header")
				.isEmpty();
			assertThat(refused(server, Arrays.copyOf(ProxyHeaders.v2Raw(0x21, 0x11, new byte[5000]), 16), false))
				.as("v2 announcing 5000 bytes")
				.isEmpty();
			await("every refusal counted").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> counter(server, "greeter.proxy.rejected", "reason", "missing") == 3);
			assertThat(counter(server, "greeter.proxy.rejected", "reason", "malformed")).isEqualTo(1);
			assertThat(counter(server, "greeter.proxy.rejected", "reason", "truncated")).isEqualTo(1);
			assertThat(counter(server, "greeter.proxy.rejected", "reason", "timeout")).isEqualTo(1);
			assertThat(counter(server, "greeter.proxy.rejected", "reason", "too_large")).isEqualTo(1);
			assertThat(counter(server, "greeter.greetings.sent")).isZero();
			// One report for the interval, with the first refusal; no stack trace.
			assertThat(output.getAll()).containsOnlyOnce("no valid PROXY protocol header")
				.contains("1 connection(s) closed without a greeting since the last report: no valid PROXY "
						+ "protocol header (greeter.server.proxy-protocol); the last: /127.0.0.1:")
				.contains("no PROXY header within 300 ms")
				.doesNotContain("\tat ");
			assertThat(proxied(server, ProxyHeaders.v1("PROXY TCP4 203.0.113.7 192.0.2.1 40001 8000")))
				.as("a good client after all that")
				.isEqualTo("203.0.113.7 40001\r\n");
		}
	}

	@Test
	void aBurstOfRejectionsIsReportedInFullWithinOneInterval(CapturedOutput output) throws IOException {
		try (RunningServer server = RunningServer.start(REQUIRED, "greeter.server.report-interval=500ms")) {
			for (int i = 0; i < 300; i++) {
				assertThat(refused(server, "hello\r\n".getBytes(StandardCharsets.US_ASCII), true)).isEmpty();
			}
			// Without another rejection to trigger it: the interval's end reports the
			// rest.
			await("the log to account for all 300").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> reported(output.getAll(), REJECTION_REPORT) == 300);
			assertThat(counter(server, "greeter.proxy.rejected", "reason", "malformed")
					+ counter(server, "greeter.proxy.rejected", "reason", "missing"))
				.isEqualTo(300);
			assertThat(REJECTION_REPORT.matcher(output.getAll()).results().count()).as("reports, not one per rejection")
				.isLessThanOrEqualTo(5);
		}
	}

	/**
	 * The counts a rate-limited report gave, added up.
	 * @param log the captured output
	 * @param report the report, with the count as its first group
	 * @return the sum
	 */
	static long reported(String log, Pattern report) {
		return report.matcher(log).results().mapToLong((match) -> Long.parseLong(match.group(1))).sum();
	}

	@Test
	void clientDrippingAHeaderIsCutOffAtTheTimeoutNotAfterItsLastByte() throws Exception {
		try (RunningServer server = RunningServer.start(REQUIRED, WHO, "greeter.server.proxy-protocol-timeout=300ms");
				Socket socket = server.connect()) {
			byte[] header = ProxyHeaders.v1("PROXY TCP6 2001:db8:0:0:0:0:0:7 2001:db8:0:0:0:0:0:1 40001 8000");
			OutputStream out = socket.getOutputStream();
			int sent = 0;
			try {
				// One byte every 50 ms would take over 3 s for the whole header.
				for (; sent < header.length; sent++) {
					out.write(header[sent]);
					out.flush();
					Thread.sleep(50);
					if (counter(server, "greeter.proxy.rejected", "reason", "timeout") == 1) {
						break;
					}
				}
			}
			catch (SocketException ex) {
				// The server closed while we were still writing: what this test expects.
			}
			assertThat(sent).as("bytes sent before the server gave up").isLessThan(header.length);
			assertThat(readQuietly(socket.getInputStream())).isEmpty();
			assertThat(counter(server, "greeter.proxy.rejected", "reason", "timeout")).isEqualTo(1);
		}
	}

	@Test
	void silentClientsWaitingForTheirTimeoutDoNotDelayOthers() throws Exception {
		try (RunningServer server = RunningServer.start(REQUIRED, WHO, "greeter.server.proxy-protocol-timeout=30s")) {
			List<Socket> silent = new ArrayList<>();
			try {
				for (int i = 0; i < 50; i++) {
					silent.add(server.connect());
				}
				await("50 silent connections open").atMost(RunningServer.CLIENT_TIMEOUT)
					.until(() -> gauge(server, "greeter.connections.active") == 50);
				assertThat(proxied(server, ProxyHeaders.v2("198.51.100.9", 50123, "192.0.2.1", 8000)))
					.isEqualTo("198.51.100.9 50123\r\n");
			}
			finally {
				for (Socket socket : silent) {
					socket.close();
				}
			}
		}
	}

	@Test
	void optionalUsesAHeaderWhenThereIsOneAndTheConnectionOtherwise() throws Exception {
		try (RunningServer server = RunningServer.start("greeter.server.proxy-protocol=optional", WHO,
				"greeter.server.proxy-protocol-timeout=200ms")) {
			assertThat(proxied(server, ProxyHeaders.v1("PROXY TCP4 203.0.113.7 192.0.2.1 40001 8000")))
				.isEqualTo("203.0.113.7 40001\r\n");
			try (Socket socket = server.connect()) {
				assertThat(read(socket)).as("a silent direct client, after the timeout")
					.isEqualTo("127.0.0.1 " + socket.getLocalPort() + "\r\n");
			}
			try (Socket socket = server.connect()) {
				send(socket, "hello\r\n".getBytes(StandardCharsets.US_ASCII));
				assertThat(read(socket)).as("a direct client that writes first")
					.isEqualTo("127.0.0.1 " + socket.getLocalPort() + "\r\n");
			}
			assertThat(refused(server, ProxyHeaders.v1("PROXY TCP4 203.0.113.7"), false))
				.as("a broken header is still refused")
				.isEmpty();
			await("the refusal counted").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> counter(server, "greeter.proxy.rejected", "reason", "malformed") == 1);
			assertThat(counter(server, "greeter.proxy.rejected", "reason", "missing")).isZero();
		}
	}

	@Test
	void offTakesAHeaderForClientData() throws IOException {
		try (RunningServer server = RunningServer.start(WHO); Socket socket = server.connect()) {
			send(socket, ProxyHeaders.v1("PROXY TCP4 203.0.113.7 192.0.2.1 40001 8000"));
			assertThat(read(socket)).isEqualTo("127.0.0.1 " + socket.getLocalPort() + "\r\n");
		}
	}

	private static String proxied(RunningServer server, byte[] header) throws IOException {
		try (Socket socket = server.connect()) {
			send(socket, header);
			return read(socket);
		}
	}

	// What a refused client receives: nothing, then the close (or a reset, for one
	// whose bytes were left unread).
	private static byte[] refused(RunningServer server, byte[] start, boolean halfClose) throws IOException {
		try (Socket socket = server.connect()) {
			send(socket, start);
			if (halfClose) {
				socket.shutdownOutput();
			}
			return readQuietly(socket.getInputStream());
		}
	}

	private static byte[] readQuietly(InputStream input) throws IOException {
		try {
			return RunningServer.readToEnd(input);
		}
		catch (SocketException ex) {
			return new byte[0]; // reset
		}
	}

	private static void send(Socket socket, byte[] bytes) throws IOException {
		socket.getOutputStream().write(bytes);
		socket.getOutputStream().flush();
	}

	private static String read(Socket socket) throws IOException {
		return new String(RunningServer.readToEnd(socket.getInputStream()), StandardCharsets.UTF_8);
	}

	private static double counter(RunningServer server, String name, String... tags) {
		return server.context().getBean(MeterRegistry.class).get(name).tags(tags).counter().count();
	}

	private static double gauge(RunningServer server, String name) {
		return server.context().getBean(MeterRegistry.class).get(name).gauge().value();
	}

}
