package dev.greeter.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.jspecify.annotations.Nullable;

/**
 * Parses the IP address literals of a PROXY v1 header strictly, without ever asking a
 * resolver: {@code InetAddress.getByName} would look up anything that is not a literal,
 * and a header is untrusted input.
 *
 * @author tcp-greeter team
 */
final class IpLiterals {

	private IpLiterals() {
	}

	/**
	 * Parse a dotted-quad IPv4 address.
	 * @param text the text
	 * @return the address, or {@code null} if the text is not one
	 */
	static @Nullable InetAddress ipv4(String text) {
		byte[] bytes = new byte[4];
		return (ipv4Into(text, bytes, 0)) ? byAddress(bytes) : null;
	}

	/**
	 * Parse an IPv6 address in any RFC 4291 text form: full, {@code ::}-compressed, or
	 * ending in a dotted quad. Zone ids are refused (they mean nothing off the proxy).
	 * @param text the text
	 * @return the address, or {@code null} if the text is not one
	 */
	static @Nullable InetAddress ipv6(String text) {
		if (text.length() < 2 || text.length() > 45) {
			return null;
		}
		int gap = text.indexOf("::");
		if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
			return null;
		}
		byte[] bytes = new byte[16];
		if (gap < 0) {
			return (groupsInto(text, bytes, 0, true) == 16) ? byAddress(bytes) : null;
		}
		String head = text.substring(0, gap);
		String tail = text.substring(gap + 2);
		int headLength = groupsInto(head, bytes, 0, tail.isEmpty());
		byte[] tailBytes = new byte[16];
		int tailLength = groupsInto(tail, tailBytes, 0, true);
		// "::" stands for at least one group of zeros.
		if (headLength < 0 || tailLength < 0 || headLength + tailLength > 14) {
			return null;
		}
		System.arraycopy(tailBytes, 0, bytes, 16 - tailLength, tailLength);
		return byAddress(bytes);
	}

	/**
	 * Parse a port number: one to five digits, at most 65535.
	 * @param text the text
	 * @return the port, or -1 if the text is not one
	 */
	static int port(String text) {
		if (text.isEmpty() || text.length() > 5) {
			return -1;
		}
		int port = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			port = port * 10 + (c - '0');
		}
		return (port <= 65535) ? port : -1;
	}

	// Colon-separated groups of 1-4 hex digits, the last possibly a dotted quad when
	// allowed; returns the number of bytes written, -1 if malformed.
	private static int groupsInto(String text, byte[] bytes, int offset, boolean lastMayBeIpv4) {
		if (text.isEmpty()) {
			return 0;
		}
		String[] groups = text.split(":", -1);
		int at = offset;
		for (int i = 0; i < groups.length; i++) {
			String group = groups[i];
			boolean last = i == groups.length - 1;
			if (last && lastMayBeIpv4 && group.indexOf('.') >= 0) {
				if (at + 4 > bytes.length || !ipv4Into(group, bytes, at)) {
					return -1;
				}
				at += 4;
				continue;
			}
			int value = hexGroup(group);
			if (value < 0 || at + 2 > bytes.length) {
				return -1;
			}
			bytes[at++] = (byte) (value >> 8);
			bytes[at++] = (byte) value;
		}
		return at - offset;
	}

	private static int hexGroup(String group) {
		if (group.isEmpty() || group.length() > 4) {
			return -1;
		}
		int value = 0;
		for (int i = 0; i < group.length(); i++) {
			int digit = Character.digit(group.charAt(i), 16);
			if (digit < 0) {
				return -1;
			}
			value = (value << 4) | digit;
		}
		return value;
	}

	private static boolean ipv4Into(String text, byte[] bytes, int offset) {
		String[] parts = text.split("\\.", -1);
		if (parts.length != 4) {
			return false;
		}
		for (int i = 0; i < 4; i++) {
			String part = parts[i];
			if (part.isEmpty() || part.length() > 3) {
				return false;
			}
			int value = 0;
			for (int j = 0; j < part.length(); j++) {
				char c = part.charAt(j);
				if (c < '0' || c > '9') {
					return false;
				}
				value = value * 10 + (c - '0');
			}
			if (value > 255) {
				return false;
			}
			bytes[offset + i] = (byte) value;
		}
		return true;
	}

	static InetAddress byAddress(byte[] bytes) {
		try {
			return InetAddress.getByAddress(bytes); // never a lookup
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException("4 or 16 bytes are always an address", ex);
		}
	}

}
