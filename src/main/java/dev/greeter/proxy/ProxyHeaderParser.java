package dev.greeter.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

import dev.greeter.proxy.InvalidProxyHeaderException.Reason;

/**
 * Parses a PROXY protocol header, version 1 or 2, from the first bytes of a connection
 * (HAProxy's specification, "The PROXY protocol", versions 1 and 2).
 *
 * @author tcp-greeter team
 */
final class ProxyHeaderParser {

	/**
	 * The largest header accepted: a v2 header with room for the TLVs that load balancers
	 * add (an AWS NLB's endpoint id, HAProxy's TLS details). A v1 header is at most 107
	 * bytes.
	 */
	static final int MAX_HEADER = 4096;

	static final int V1_MAX = 107;

	private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] V2_SIGNATURE = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
			0x0A };

	private static final int V2_FIXED = 16;

	private ProxyHeaderParser() {
	}

	/**
	 * Parse the header at the start of what a connection has sent so far.
	 * @param bytes the bytes received
	 * @param length how many of them are valid
	 * @return the header, or {@code null} while more bytes are needed to decide
	 * @throws InvalidProxyHeaderException {@link Reason#MISSING} when the bytes are not a
	 * header at all, another reason when they are a broken one
	 */
	static @Nullable ProxyHeader parse(byte[] bytes, int length) throws InvalidProxyHeaderException {
		if (length == 0) {
			return null;
		}
		if (bytes[0] == V1_PREFIX[0]) {
			return parseV1(bytes, length);
		}
		if (bytes[0] == V2_SIGNATURE[0]) {
			return parseV2(bytes, length);
		}
		throw missing();
	}

	private static @Nullable ProxyHeader parseV1(byte[] bytes, int length) throws InvalidProxyHeaderException {
		if (!startsWith(bytes, length, V1_PREFIX)) {
			throw missing();
		}
		int end = -1;
		for (int i = 0; i < Math.min(length, V1_MAX); i++) {
			byte b = bytes[i];
			if (b == '\n') {
				if (i == 0 || bytes[i - 1] != '\r') {
					throw malformed("a v1 header line must end with CRLF");
				}
				end = i - 1;
				break;
			}
			if ((b < 0x20 || b > 0x7E) && b != '\r') {
				throw malformed("a v1 header must be printable ASCII");
			}
		}
		if (end < 0) {
			if (length >= V1_MAX) {
				throw new InvalidProxyHeaderException(Reason.TOO_LARGE,
						"no CRLF within the " + V1_MAX + " bytes of a v1 header");
			}
			return null;
		}
		String line = new String(bytes, V1_PREFIX.length, end - V1_PREFIX.length, StandardCharsets.US_ASCII);
		String[] fields = line.split(" ", -1);
		if (fields[0].equals("UNKNOWN")) {
			// The proxy could not tell: use the connection's own.
			return ProxyHeader.local(1, end + 2);
		}
		if (fields.length != 5) {
			throw malformed("a v1 header has a protocol, two addresses and two ports");
		}
		InetAddress source;
		InetAddress destination; // checked, not used: the greeting names the client
		switch (fields[0]) {
			case "TCP4" -> {
				source = IpLiterals.ipv4(fields[1]);
				destination = IpLiterals.ipv4(fields[2]);
			}
			case "TCP6" -> {
				source = IpLiterals.ipv6(fields[1]);
				destination = IpLiterals.ipv6(fields[2]);
			}
			default -> throw malformed("unknown v1 protocol '" + fields[0] + "'");
		}
		int sourcePort = IpLiterals.port(fields[3]);
		int destinationPort = IpLiterals.port(fields[4]);
		if (source == null || destination == null) {
			throw malformed("not an " + fields[0] + " address in a v1 header");
		}
		if (sourcePort < 0 || destinationPort < 0) {
			throw malformed("not a port number in a v1 header");
		}
		return new ProxyHeader(1, new InetSocketAddress(source, sourcePort), end + 2);
	}

	private static @Nullable ProxyHeader parseV2(byte[] bytes, int length) throws InvalidProxyHeaderException {
		if (!startsWith(bytes, length, V2_SIGNATURE)) {
			throw missing();
		}
		if (length < V2_FIXED) {
			return null;
		}
		int versionAndCommand = bytes[12] & 0xFF;
		if ((versionAndCommand >> 4) != 2) {
			throw malformed("unknown v2 version " + (versionAndCommand >> 4));
		}
		int command = versionAndCommand & 0x0F;
		if (command > 1) {
			throw malformed("unknown v2 command " + command);
		}
		int family = (bytes[13] & 0xFF) >> 4;
		int addressLength = ((bytes[14] & 0xFF) << 8) | (bytes[15] & 0xFF);
		if (V2_FIXED + addressLength > MAX_HEADER) {
			throw new InvalidProxyHeaderException(Reason.TOO_LARGE, "a v2 header of " + (V2_FIXED + addressLength)
					+ " bytes, more than the " + MAX_HEADER + " accepted");
		}
		if (length < V2_FIXED + addressLength) {
			return null;
		}
		if (command == 0) {
			// LOCAL: the proxy's own connection, a health check.
			return ProxyHeader.local(2, V2_FIXED + addressLength);
		}
		return switch (family) {
			// UNSPEC or UNIX: no IP address to use.
			case 0, 3 -> ProxyHeader.local(2, V2_FIXED + addressLength);
			case 1 -> v2Addresses(bytes, 4, addressLength);
			case 2 -> v2Addresses(bytes, 16, addressLength);
			default -> throw malformed("unknown v2 address family " + family);
		};
	}

	private static ProxyHeader v2Addresses(byte[] bytes, int size, int addressLength)
			throws InvalidProxyHeaderException {
		if (addressLength < 2 * size + 4) {
			throw malformed("a v2 address block of " + addressLength + " bytes is too short for its family");
		}
		int at = V2_FIXED;
		InetAddress source = address(bytes, at, size);
		int sourcePort = ((bytes[at + 2 * size] & 0xFF) << 8) | (bytes[at + 2 * size + 1] & 0xFF);
		// The destination and the TLVs after the addresses carry nothing the greeting
		// uses: skipped.
		return new ProxyHeader(2, new InetSocketAddress(source, sourcePort), V2_FIXED + addressLength);
	}

	private static InetAddress address(byte[] bytes, int offset, int size) {
		return IpLiterals.byAddress(Arrays.copyOfRange(bytes, offset, offset + size));
	}

	// Whether the bytes so far agree with the prefix, as far as they go.
	private static boolean startsWith(byte[] bytes, int length, byte[] prefix) {
		for (int i = 0; i < Math.min(length, prefix.length); i++) {
			if (bytes[i] != prefix[i]) {
				return false;
			}
		}
		return true;
	}

	private static InvalidProxyHeaderException missing() {
		return new InvalidProxyHeaderException(Reason.MISSING, "the connection did not start with a PROXY header");
	}

	private static InvalidProxyHeaderException malformed(String message) {
		return new InvalidProxyHeaderException(Reason.MALFORMED, message);
	}

}
