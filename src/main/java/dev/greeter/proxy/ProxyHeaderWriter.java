package dev.greeter.proxy;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Writes a PROXY protocol header, version 1 or 2, as a load balancer sends it before a
 * TCP connection's own bytes (HAProxy's specification): so that a client can check a
 * listener that requires one without a balancer in front.
 *
 * @author tcp-greeter team
 */
public final class ProxyHeaderWriter {

	private static final byte[] V2_SIGNATURE = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
			0x0A };

	private static final int V2_PROXY_COMMAND = 0x21;

	private static final int V2_TCP4 = 0x11;

	private static final int V2_TCP6 = 0x21;

	private ProxyHeaderWriter() {
	}

	/**
	 * A header of the version given, for a TCP connection.
	 * @param version 1 or 2
	 * @param source the client the header names
	 * @param destination the address the client connected to
	 * @return the header's bytes
	 * @throws IllegalArgumentException if the version is neither, or the two addresses
	 * cannot be of one family (an IPv4 source for an IPv6 destination)
	 */
	public static byte[] write(int version, InetSocketAddress source, InetSocketAddress destination) {
		InetAddress from = source.getAddress();
		InetAddress to = sameFamily(from, destination.getAddress());
		return switch (version) {
			case 1 -> v1(from, source.getPort(), to, destination.getPort());
			case 2 -> v2(from, source.getPort(), to, destination.getPort());
			default -> throw new IllegalArgumentException("PROXY protocol version " + version + " does not exist");
		};
	}

	private static byte[] v1(InetAddress from, int fromPort, InetAddress to, int toPort) {
		String family = (from instanceof Inet4Address) ? "TCP4" : "TCP6";
		String line = "PROXY " + family + " " + literal(from) + " " + literal(to) + " " + fromPort + " " + toPort
				+ "\r\n";
		return line.getBytes(StandardCharsets.US_ASCII);
	}

	private static byte[] v2(InetAddress from, int fromPort, InetAddress to, int toPort) {
		ByteArrayOutputStream addresses = new ByteArrayOutputStream();
		addresses.writeBytes(from.getAddress());
		addresses.writeBytes(to.getAddress());
		addresses.write(fromPort >> 8);
		addresses.write(fromPort);
		addresses.write(toPort >> 8);
		addresses.write(toPort);
		return v2(V2_PROXY_COMMAND, (from instanceof Inet4Address) ? V2_TCP4 : V2_TCP6, addresses.toByteArray());
	}

	/**
	 * A v2 header with any command, family and address block: the fixed part, then the
	 * block.
	 * @param versionAndCommand the 13th byte
	 * @param family the 14th byte
	 * @param addresses the address block (and any TLVs)
	 * @return the header's bytes
	 */
	public static byte[] v2(int versionAndCommand, int family, byte[] addresses) {
		ByteArrayOutputStream header = new ByteArrayOutputStream();
		header.writeBytes(V2_SIGNATURE);
		header.write(versionAndCommand);
		header.write(family);
		header.write(addresses.length >> 8);
		header.write(addresses.length);
		header.writeBytes(addresses);
		return header.toByteArray();
	}

	// The address as the header writes it: no zone, which the receiver could not use.
	private static String literal(InetAddress address) {
		String text = address.getHostAddress();
		int zone = text.indexOf('%');
		return (zone < 0) ? text : text.substring(0, zone);
	}

	// A header names both addresses in one family: an IPv6 source with an IPv4
	// destination names the destination as IPv4-mapped IPv6.
	private static InetAddress sameFamily(InetAddress source, InetAddress destination) {
		if (source instanceof Inet6Address && destination instanceof Inet4Address) {
			byte[] mapped = new byte[16];
			mapped[10] = (byte) 0xff;
			mapped[11] = (byte) 0xff;
			System.arraycopy(destination.getAddress(), 0, mapped, 12, 4);
			try {
				return Inet6Address.getByAddress(null, mapped, -1);
			}
			catch (UnknownHostException ex) {
				throw new IllegalStateException(ex);
			}
		}
		if (source instanceof Inet4Address && destination instanceof Inet6Address) {
			throw new IllegalArgumentException("a PROXY header cannot name an IPv4 client (" + literal(source)
					+ ") of an IPv6 address (" + literal(destination) + ")");
		}
		return destination;
	}

}
