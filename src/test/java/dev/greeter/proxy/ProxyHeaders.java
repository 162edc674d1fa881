package dev.greeter.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds PROXY protocol headers as a load balancer sends them, for tests.
 */
public final class ProxyHeaders {

	private ProxyHeaders() {
	}

	public static byte[] v1(String line) {
		return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * A v2 PROXY command for a TCP connection, IPv4 or IPv6 by the addresses given, as
	 * {@link ProxyHeaderWriter} writes it, with TLVs after the addresses if any.
	 * @param source the client's address
	 * @param sourcePort the client's port
	 * @param destination the proxy's address
	 * @param destinationPort the proxy's port
	 * @param tlvs extra bytes after the addresses
	 * @return the header
	 */
	public static byte[] v2(String source, int sourcePort, String destination, int destinationPort, byte... tlvs) {
		byte[] header = ProxyHeaderWriter.write(2, new InetSocketAddress(address(source), sourcePort),
				new InetSocketAddress(address(destination), destinationPort));
		if (tlvs.length == 0) {
			return header;
		}
		byte[] block = Arrays.copyOfRange(header, 16, header.length + tlvs.length);
		System.arraycopy(tlvs, 0, block, header.length - 16, tlvs.length);
		return v2Raw(header[12], header[13], block);
	}

	/**
	 * A v2 header with any command byte, family byte and address block.
	 * @param versionAndCommand the 13th byte
	 * @param family the 14th byte
	 * @param addresses the address block
	 * @return the header
	 */
	public static byte[] v2Raw(int versionAndCommand, int family, byte[] addresses) {
		return ProxyHeaderWriter.v2(versionAndCommand, family, addresses);
	}

	private static InetAddress address(String literal) {
		try {
			return InetAddress.getByName(literal); // literals only: no lookup
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException(ex);
		}
	}

}
