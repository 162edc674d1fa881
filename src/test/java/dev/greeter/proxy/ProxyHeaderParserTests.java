package dev.greeter.proxy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.greeter.proxy.InvalidProxyHeaderException.Reason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The header grammar, byte by byte. The same headers arrive over real connections in
 * {@code ProxyProtocolTests} and from a real HAProxy in {@code HaproxyIT}.
 */
class ProxyHeaderParserTests {

	@ParameterizedTest
	@CsvSource({ "2001:db8::7, 2001:db8:0:0:0:0:0:7", "::1, 0:0:0:0:0:0:0:1", "::, 0:0:0:0:0:0:0:0",
			"fe80::1:2, fe80:0:0:0:0:0:1:2", "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8", "1::, 1:0:0:0:0:0:0:0",
			"::ffff:203.0.113.7, 203.0.113.7", "64:ff9b::192.0.2.33, 64:ff9b:0:0:0:0:c000:221",
			"ABCD:ef01::, abcd:ef01:0:0:0:0:0:0" })
	void ipv6LiteralsInEveryTextForm(String text, String expected) {
		assertThat(IpLiterals.ipv6(text)).isNotNull()
			.extracting((address) -> address.getHostAddress())
			.isEqualTo(expected);
	}

	@ParameterizedTest
	@ValueSource(strings = { "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "g::1",
			"::1%eth0", "1:2:3:4:5:6:7::8", "localhost", "::256.1.1.1", "1.2.3.4" })
	void malformedIpv6LiteralsAreRefused(String text) {
		assertThat(IpLiterals.ipv6(text)).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "a.b.c.d", "1..2.3", "example.com", "" })
	void malformedIpv4LiteralsAreRefused(String text) {
		assertThat(IpLiterals.ipv4(text)).isNull();
	}

	@Test
	void v1NeedsItsWholeLineBeforeItIsParsed() throws Exception {
		byte[] header = ProxyHeaders.v1("PROXY TCP4 203.0.113.7 192.0.2.1 40001 8000");
		for (int length = 0; length < header.length; length++) {
			assertThat(ProxyHeaderParser.parse(Arrays.copyOf(header, 200), length)).as("after %d bytes", length)
				.isNull();
		}
		assertThat(ProxyHeaderParser.parse(header, header.length))
			.isEqualTo(new ProxyHeader(1, new InetSocketAddress("203.0.113.7", 40001), header.length));
	}

	@Test
	void v2NeedsItsWholeAddressBlockBeforeItIsParsed() throws Exception {
		byte[] header = ProxyHeaders.v2("2001:db8::7", 40001, "2001:db8::1", 8000, (byte) 0x04, (byte) 0, (byte) 1,
				(byte) 'x');
		for (int length = 0; length < header.length; length++) {
			assertThat(ProxyHeaderParser.parse(header, length)).as("after %d bytes", length).isNull();
		}
		ProxyHeader parsed = ProxyHeaderParser.parse(header, header.length);
		assertThat(parsed.version()).isEqualTo(2);
		assertThat(parsed.source()).isEqualTo(new InetSocketAddress("2001:db8::7", 40001));
		assertThat(parsed.length()).isEqualTo(header.length);
	}

	@Test
	void localCommandAndUnknownProtocolMeanTheConnectionsOwnAddress() throws Exception {
		byte[] local = ProxyHeaders.v2Raw(0x20, 0x00, new byte[0]);
		assertThat(ProxyHeaderParser.parse(local, local.length)).isEqualTo(new ProxyHeader(2, null, local.length));
		byte[] unknown = ProxyHeaders.v1("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535");
		assertThat(ProxyHeaderParser.parse(unknown, unknown.length))
			.isEqualTo(new ProxyHeader(1, null, unknown.length));
	}

	@ParameterizedTest
	@ValueSource(strings = { "PROXY TCP4 203.0.113.7 192.0.2.1 40001", "PROXY TCP4 2001:db8::7 192.0.2.1 1 2",
			"PROXY TCP6 203.0.113.7 2001:db8::1 1 2", "PROXY TCP4 203.0.113.7 192.0.2.1 65536 8000",
			"PROXY TCP4  203.0.113.7 192.0.2.1 1 2", "PROXY UDP4 203.0.113.7 192.0.2.1 1 2",
			"PROXY TCP4 example.com 192.0.2.1 1 2" })
	void malformedV1IsRefused(String line) {
		byte[] header = ProxyHeaders.v1(line);
		assertThatExceptionOfType(InvalidProxyHeaderException.class)
			.isThrownBy(() -> ProxyHeaderParser.parse(header, header.length))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.MALFORMED));
	}

	@Test
	void v1LineWithoutCrIsMalformed() {
		byte[] header = "PROXY TCP4 203.0.113.7 192.0.2.1 1 2\n".getBytes(StandardCharsets.US_ASCII);
		assertThatExceptionOfType(InvalidProxyHeaderException.class)
			.isThrownBy(() -> ProxyHeaderParser.parse(header, header.length))
			.withMessage("a v1 header line must end with CRLF");
	}

	@Test
	void v1LongerThanTheSpecificationAllowsIsTooLarge() {
		byte[] header = ("PROXY " + "x".repeat(200)).getBytes(StandardCharsets.US_ASCII);
		assertThatExceptionOfType(InvalidProxyHeaderException.class)
			.isThrownBy(() -> ProxyHeaderParser.parse(header, header.length))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.TOO_LARGE));
	}

	@Test
	void v2AnnouncingMoreThanTheLimitIsRefusedFromItsFixedPart() {
		byte[] header = Arrays.copyOf(ProxyHeaders.v2Raw(0x21, 0x11, new byte[60_000]), 16);
		assertThatExceptionOfType(InvalidProxyHeaderException.class)
			.isThrownBy(() -> ProxyHeaderParser.parse(header, header.length))
			.withMessage("a v2 header of 60016 bytes, more than the 4096 accepted");
	}

	@ParameterizedTest
	@CsvSource({ "0x11, 0x11, unknown v2 version 1", "0x22, 0x11, unknown v2 command 2",
			"0x21, 0x41, unknown v2 address family 4" })
	void malformedV2IsRefused(String versionAndCommand, String family, String message) {
		byte[] header = ProxyHeaders.v2Raw(Integer.decode(versionAndCommand), Integer.decode(family), new byte[12]);
		assertThatExceptionOfType(InvalidProxyHeaderException.class)
			.isThrownBy(() -> ProxyHeaderParser.parse(header, header.length))
			.withMessage(message);
	}

	@Test
	void v2AddressBlockShorterThanItsFamilyIsMalformed() {
		byte[] header = ProxyHeaders.v2Raw(0x21, 0x21, new byte[12]);
		assertThatExceptionOfType(InvalidProxyHeaderException.class)
			.isThrownBy(() -> ProxyHeaderParser.parse(header, header.length))
			.withMessage("a v2 address block of 12 bytes is too short for its family");
	}

	@ParameterizedTest
	@ValueSource(strings = { "GET / HTTP/1.1", "PROXZ", "\r\n\r\nx", "hello" })
	void otherBytesAreNoHeaderAtAll(String start) {
		byte[] bytes = start.getBytes(StandardCharsets.US_ASCII);
		assertThatExceptionOfType(InvalidProxyHeaderException.class)
			.isThrownBy(() -> ProxyHeaderParser.parse(bytes, bytes.length))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.MISSING));
	}

}
