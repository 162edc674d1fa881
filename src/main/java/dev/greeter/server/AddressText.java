package dev.greeter.server;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * An IP address as people and log pipelines write it: IPv4 as a dotted quad, IPv6 in the
 * RFC 5952 canonical form ({@code 2001:db8::7}, lower case, the longest run of zero
 * groups compressed), as nginx's {@code $remote_addr} shows it. Java's own
 * {@code getHostAddress()} gives {@code 2001:db8:0:0:0:0:0:7}, which no one greps for.
 * The zone of a link-local address is left out: it means nothing off this host.
 *
 * @author tcp-greeter team
 */
public final class AddressText {

	private AddressText() {
	}

	public static String of(InetAddress address) {
		if (!(address instanceof Inet6Address)) {
			return address.getHostAddress();
		}
		byte[] bytes = address.getAddress();
		int[] groups = new int[8];
		for (int i = 0; i < 8; i++) {
			groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
		}
		// The longest run of two or more zero groups, the first of equals (RFC 5952 4.2).
		int bestStart = -1;
		int bestLength = 1;
		for (int i = 0; i < 8;) {
			if (groups[i] != 0) {
				i++;
				continue;
			}
			int start = i;
			while (i < 8 && groups[i] == 0) {
				i++;
			}
			if (i - start > bestLength) {
				bestStart = start;
				bestLength = i - start;
			}
		}
		StringBuilder text = new StringBuilder(39);
		for (int i = 0; i < 8; i++) {
			if (i == bestStart) {
				text.append("::");
				i += bestLength - 1;
				continue;
			}
			if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
				text.append(':');
			}
			text.append(Integer.toHexString(groups[i]));
		}
		return text.toString();
	}

	/**
	 * An address and port as the lab program printed a client ({@code /127.0.0.1:54321}),
	 * with IPv6 in brackets ({@code /[::1]:54321}).
	 * @param address the address
	 * @param port the port
	 * @return the text
	 */
	public static String withPort(InetAddress address, int port) {
		String host = of(address);
		return (host.indexOf(':') >= 0) ? "/[" + host + "]:" + port : "/" + host + ":" + port;
	}

}
