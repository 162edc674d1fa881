package dev.greeter.server.tcp;

import dev.greeter.server.CLibrary;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Sets {@code TCP_CORK} on a listening socket, through the JDK's foreign function API:
 * Linux's own {@code getsockopt}, {@code getsockname} and {@code setsockopt}. Every socket
 * the listener accepts inherits the option, so the greeting waits in the kernel until the
 * half-close, and the greeting and its FIN leave in one segment (see
 * {@link GreetingSegments} for why, and for what it costs nothing).
 * <p>
 * The JDK hands out no channel's file descriptor, so the listening socket is found among
 * the process's descriptors ({@code /proc/self/fd}): the one TCP socket that listens on
 * exactly the channel's address and port. Two listening sockets cannot share an address
 * and port in this process (no listener sets {@code SO_REUSEPORT}), so one match is the
 * channel's; anything else sets nothing.
 * <p>
 * Compiled for Java 22 (the API's first final release) and loaded only there, by
 * {@link GreetingSegments}; the rest of the application is compiled for 17. The
 * structures are those of Linux on 64-bit x86 and ARM, the only platforms it runs on.
 *
 * @author tcp-greeter team
 */
final class ListeningSocketCork {

	private static final int SOL_SOCKET = 1;

	private static final int SO_ACCEPTCONN = 30;

	private static final int SO_PROTOCOL = 38;

	private static final int IPPROTO_TCP = 6;

	private static final int TCP_CORK = 3;

	// struct sockaddr_storage
	private static final int SOCKADDR_SIZE = 128;

	private static final Path DESCRIPTORS = Path.of("/proc/self/fd");

	private ListeningSocketCork() {
	}

	/**
	 * Set {@code TCP_CORK} on the listening TCP socket bound to {@code local}.
	 * @param local the listening channel's local address
	 * @return {@code null} once set and read back, else why it is not set
	 */
	static @Nullable String cork(InetSocketAddress local) {
		Native libc = new Native();
		try (Arena arena = Arena.ofConfined()) {
			List<Integer> listening = new ArrayList<>();
			for (int fd : descriptors()) {
				if (libc.intOption(arena, fd, SOL_SOCKET, SO_ACCEPTCONN) == 1
						&& libc.intOption(arena, fd, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP
						&& local.equals(libc.localAddress(arena, fd))) {
					listening.add(fd);
				}
			}
			if (listening.size() != 1) {
				return listening.size() + " listening sockets of this process are bound to " + local;
			}
			int fd = listening.get(0);
			if (!libc.setIntOption(arena, fd, IPPROTO_TCP, TCP_CORK, 1)
					|| libc.intOption(arena, fd, IPPROTO_TCP, TCP_CORK) != 1) {
				return "the kernel did not take TCP_CORK on the listening socket";
			}
			return null;
		}
		catch (IOException ex) {
			return "the process's descriptors cannot be listed: " + ex.getMessage();
		}
	}

	private static List<Integer> descriptors() throws IOException {
		List<Integer> descriptors = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(DESCRIPTORS)) {
			for (Path entry : entries) {
				try {
					descriptors.add(Integer.parseInt(entry.getFileName().toString()));
				}
				catch (NumberFormatException ex) {
					// not a descriptor
				}
			}
		}
		return descriptors;
	}

	/**
	 * The C library's calls. A call that fails (a descriptor that is no socket, or one
	 * closed meanwhile) reads as "not this one".
	 */
	private static final class Native {

		private final MethodHandle getsockopt;

		private final MethodHandle setsockopt;

		private final MethodHandle getsockname;

		Native() {
			ValueLayout.OfInt i = ValueLayout.JAVA_INT;
			ValueLayout pointer = ValueLayout.ADDRESS;
			this.getsockopt = CLibrary.function("getsockopt", FunctionDescriptor.of(i, i, i, i, pointer, pointer));
			this.setsockopt = CLibrary.function("setsockopt", FunctionDescriptor.of(i, i, i, i, pointer, i));
			this.getsockname = CLibrary.function("getsockname", FunctionDescriptor.of(i, i, pointer, pointer));
		}

		// The option's value, or -1 when it cannot be read.
		int intOption(Arena arena, int fd, int level, int option) {
			MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
			MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
			length.set(ValueLayout.JAVA_INT, 0, Integer.BYTES);
			try {
				int result = (int) this.getsockopt.invokeExact(fd, level, option, value, length);
				return (result == 0) ? value.get(ValueLayout.JAVA_INT, 0) : -1;
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		}

		boolean setIntOption(Arena arena, int fd, int level, int option, int value) {
			MemorySegment segment = arena.allocate(ValueLayout.JAVA_INT);
			segment.set(ValueLayout.JAVA_INT, 0, value);
			try {
				return (int) this.setsockopt.invokeExact(fd, level, option, segment, Integer.BYTES) == 0;
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		}

		// The socket's address as Java names it (an IPv4-mapped IPv6 address as IPv4, as
		// the JDK's dual-stack sockets report theirs), or null.
		@Nullable InetSocketAddress localAddress(Arena arena, int fd) {
			MemorySegment name = arena.allocate(SOCKADDR_SIZE);
			MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
			length.set(ValueLayout.JAVA_INT, 0, SOCKADDR_SIZE);
			int result;
			try {
				result = (int) this.getsockname.invokeExact(fd, name, length);
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
			if (result != 0) {
				return null;
			}
			try {
				return CLibrary.socketAddress(name);
			}
			catch (UnknownHostException ex) {
				return null; // another family: not a TCP listener's
			}
		}

	}

}
