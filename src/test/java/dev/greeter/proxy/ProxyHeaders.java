package dev.greeter.proxy;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Builds PROXY protocol headers as a load balancer sends them, for tests.
 */
public final class ProxyHeaders {

	private static final byte[] V2_SIGNATURE = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
			0x0A };

	private ProxyHeaders() {
	}

	public static byte[] v1(String line) {
		return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * A v2 PROXY command for a TCP connection, IPv4 or IPv6 by the addresses given.
	 * @param source the client's address
	 * @param sourcePort the client's port
	 * @param destination the proxy's address
	 * @param destinationPort the proxy's port
	 * @param tlvs extra bytes after the addresses
	 * @return the header
	 */
	public static byte[] v2(String source, int sourcePort, String destination, int destinationPort, byte... tlvs) {
		byte[] from = literal(source);
		byte[] to = literal(destination);
		ByteArrayOutputStream addresses = new ByteArrayOutputStream();
		addresses.writeBytes(from);
		addresses.writeBytes(to);
		addresses.write(sourcePort >> 8);
		addresses.write(sourcePort);
		addresses.write(destinationPort >> 8);
		addresses.write(destinationPort);
		addresses.writeBytes(tlvs);
		return v2Raw(0x21, (from.length == 4) ? 0x11 : 0x21, addresses.toByteArray());
	}

	/**
	 * A v2 header with any command byte, family byte and address block.
	 * @param versionAndCommand the 13th byte
	 * @param family the 14th byte
	 * @param addresses the address block
	 * @return the header
	 */
	public static byte[] v2Raw(int versionAndCommand, int family, byte[] addresses) {
		ByteArrayOutputStream header = new ByteArrayOutputStream();
		header.writeBytes(V2_SIGNATURE);
		header.write(versionAndCommand);
		header.write(family);
		header.write(addresses.length >> 8);
		header.write(addresses.length);
		header.writeBytes(addresses);
		return header.toByteArray();
	}

	private static byte[] literal(String address) {
		try {
			return InetAddress.getByName(address).getAddress(); // literals only: no
																// lookup
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException(ex);
		}
	}

}
