package dev.greeter.server;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * The C library's functions, for the socket options and calls the JDK has no API for
 * (TCP's listening-socket cork, UDP's destination address), through the foreign function
 * API, and the socket address structure they share. Compiled for Java 22 and loaded only
 * there. The structures those calls take are those of Linux on 64-bit x86 and ARM, the
 * only platforms they are made on.
 *
 * @author tcp-greeter team
 */
public final class CLibrary {

	/**
	 * The IPv4 address family, {@code AF_INET}.
	 */
	public static final int AF_INET = 2;

	/**
	 * The IPv6 address family, {@code AF_INET6}.
	 */
	public static final int AF_INET6 = 10;

	/**
	 * A port or other 16-bit field in network byte order, wherever it falls.
	 */
	public static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED
		.withOrder(ByteOrder.BIG_ENDIAN);

	private CLibrary() {
	}

	/**
	 * Whether this platform's structures are the ones these classes know.
	 * @return true on Linux on x86-64 and ARM64
	 */
	public static boolean supported() {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch", "");
		return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
	}

	/**
	 * A handle on one of the C library's functions.
	 * @param name the function's name
	 * @param descriptor its signature
	 * @param options the linker's options ({@code errno} to capture, say)
	 * @return the handle
	 * @throws IllegalStateException if the C library has no such function
	 */
	public static MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
		Linker linker = Linker.nativeLinker();
		MemorySegment symbol = linker.defaultLookup()
			.find(name)
			.orElseThrow(() -> new IllegalStateException("the C library has no " + name));
		return linker.downcallHandle(symbol, descriptor, options);
	}

	/**
	 * A socket address as the kernel writes it ({@code struct sockaddr_in} or
	 * {@code sockaddr_in6}), as Java names it: an IPv4-mapped IPv6 address as the IPv4
	 * one, as the JDK's dual-stack sockets report theirs.
	 * @param name the structure
	 * @return the address and port
	 * @throws UnknownHostException for an address family other than IPv4 and IPv6
	 */
	public static InetSocketAddress socketAddress(MemorySegment name) throws UnknownHostException {
		int family = name.get(ValueLayout.JAVA_SHORT, 0);
		int port = Short.toUnsignedInt(name.get(SHORT_BE, 2));
		byte[] address;
		if (family == AF_INET) {
			address = name.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
		}
		else if (family == AF_INET6) {
			address = name.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
		}
		else {
			throw new UnknownHostException("address family " + family + ", not IPv4 or IPv6");
		}
		return new InetSocketAddress(InetAddress.getByAddress(address), port);
	}

}
