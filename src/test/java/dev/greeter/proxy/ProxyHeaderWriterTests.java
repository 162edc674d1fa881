package dev.greeter.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What the client writes, the server's parser reads back: both versions, both families.
 */
class ProxyHeaderWriterTests {

	@Test
	void versionOneIsTheLineHaproxyWrites() throws Exception {
		byte[] header = ProxyHeaderWriter.write(1, address("203.0.113.7", 4444), address("127.0.0.1", 8000));
		assertThat(new String(header, StandardCharsets.US_ASCII))
			.isEqualTo("PROXY TCP4 203.0.113.7 127.0.0.1 4444 8000\r\n");
	}

	@Test
	void eachVersionAndFamilyIsReadBackAsItWasWritten() throws Exception {
		for (int version : new int[] { 1, 2 }) {
			for (String[] pair : new String[][] { { "203.0.113.7", "127.0.0.1" }, { "2001:db8::7", "::1" },
					{ "2001:db8::7", "127.0.0.1" } }) {
				InetSocketAddress source = address(pair[0], 65535);
				byte[] header = ProxyHeaderWriter.write(version, source, address(pair[1], 8000));
				ProxyHeader parsed = ProxyHeaderParser.parse(header, header.length);
				assertThat(parsed).as("v%d %s", version, pair[0]).isNotNull();
				assertThat(parsed.version()).isEqualTo(version);
				assertThat(parsed.source()).isEqualTo(source);
				assertThat(parsed.length()).isEqualTo(header.length);
			}
		}
	}

	@Test
	void anIpv4ClientOfAnIpv6AddressCannotBeNamed() throws Exception {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ProxyHeaderWriter.write(2, address("203.0.113.7", 1), address("::1", 8000)))
			.withMessage(
					"a PROXY header cannot name an IPv4 client (203.0.113.7) of an IPv6 address (0:0:0:0:0:0:0:1)");
	}

	private static InetSocketAddress address(String literal, int port) throws Exception {
		return new InetSocketAddress(InetAddress.getByName(literal), port);
	}

}
