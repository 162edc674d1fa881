package dev.greeter.server.tcp;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.greeter.RunningServer;
import dev.greeter.deploy.Tools;
import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The greeting and its FIN leave the server in one TCP segment where the runtime can set
 * {@code TCP_CORK} (Java 22 and later on Linux), in two elsewhere: counted by the
 * client's kernel ({@code ss -i}: {@code segs_in}, the segments its socket received, the
 * handshake's SYN-ACK included). The client's socket stays open while it is counted, so
 * nothing after the greeting's end is among them, and it sends nothing: what it sends (a
 * PROXY header) the server acknowledges in a segment of its own or with the greeting, as
 * its delayed acknowledgement falls.
 */
class GreetingSegmentsTests {

	private static final byte[] DEFAULT_GREETING = (GreetingProperties.DEFAULT_GREETING + "\r\n")
		.getBytes(StandardCharsets.US_ASCII);

	private static final Pattern SEGMENTS_IN = Pattern.compile("\\bsegs_in:(\\d+)");

	// The SYN-ACK, then the greeting with its FIN; or the greeting, then the FIN.
	private static final int SEGMENTS = (Runtime.version().feature() >= 22) ? 2 : 3;

	@Test
	void theGreetingAndItsEndArriveTogether() throws IOException {
		try (RunningServer server = RunningServer.start(); Socket client = server.connect()) {
			assertThat(RunningServer.readToEnd(client.getInputStream())).isEqualTo(DEFAULT_GREETING);
			assertThat(segmentsReceived(client)).isEqualTo(SEGMENTS);
		}
	}

	@Test
	void aGreetingRenderedPerConnectionOnItsOwnThreadToo() throws IOException {
		try (RunningServer server = RunningServer.start("greeter.greeting=hello ${connection.count}");
				Socket client = server.connect()) {
			assertThat(RunningServer.readToEnd(client.getInputStream()))
				.isEqualTo("hello 1\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(segmentsReceived(client)).isEqualTo(SEGMENTS);
		}
	}

	// What the client's kernel counts for this socket: ss's line for its local port.
	private static int segmentsReceived(Socket client) throws IOException {
		Tools.require(Tools.onPath("ss"), "ss", "apt-get install iproute2");
		Tools.Result result = Tools.run(Duration.ofSeconds(20), "ss", "-tinH", "src",
				"127.0.0.1:" + client.getLocalPort(), "dst", "127.0.0.1:" + client.getPort());
		Matcher segments = SEGMENTS_IN.matcher(result.output());
		assertThat(segments.find()).as(result.output()).isTrue();
		return Integer.parseInt(segments.group(1));
	}

}
