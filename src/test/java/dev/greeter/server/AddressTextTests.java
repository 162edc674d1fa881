package dev.greeter.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.RunningServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Addresses as people write them: RFC 5952 for IPv6, in the greeting's
 * {@code ${client.address}} and in brackets in the connection log, over a real socket on
 * {@code [::1]}.
 */
@ExtendWith(OutputCaptureExtension.class)
class AddressTextTests {

	@ParameterizedTest
	@CsvSource({ "2001:db8:0:0:0:0:0:7, 2001:db8::7", "0:0:0:0:0:0:0:1, ::1", "0:0:0:0:0:0:0:0, ::",
			"2001:DB8:0:0:1:0:0:1, 2001:db8::1:0:0:1", "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
			"1:0:0:2:0:0:0:3, 1:0:0:2::3", "fe80:0:0:0:0:0:0:1, fe80::1", "1:2:3:4:5:6:7:0, 1:2:3:4:5:6:7:0",
			"0:0:1:0:0:0:0:0, 0:0:1::", "203.0.113.7, 203.0.113.7" })
	void ipv6IsWrittenInItsCanonicalShortForm(String address, String expected) throws UnknownHostException {
		assertThat(AddressText.of(InetAddress.getByName(address))).isEqualTo(expected);
	}

	@Test
	void aClientOnIpv6LoopbackIsGreetedAndLoggedInTheShortForm(CapturedOutput output) throws IOException {
		try (RunningServer server = RunningServer.start("greeter.server.address=::1",
				"greeter.greeting=${client.address} ${client.port}"); Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("::1", server.port()), 10_000);
			socket.setSoTimeout(10_000);
			String greeting = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(greeting).isEqualTo("::1 " + socket.getLocalPort() + "\r\n");
			assertThat(output.getAll()).contains("Connection established with /[::1]:" + socket.getLocalPort());
		}
	}

}
