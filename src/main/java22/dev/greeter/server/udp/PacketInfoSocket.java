package dev.greeter.server.udp;

import dev.greeter.server.CLibrary;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import org.jspecify.annotations.Nullable;

/**
 * A wildcard UDP socket that reads each datagram's destination with {@code IP_PKTINFO}
 * ({@code IPV6_RECVPKTINFO} for IPv6) and sends each reply from it, through the JDK's
 * foreign function API: Linux's own {@code socket}, {@code recvmsg} and {@code sendmsg}.
 * The JDK's datagram sockets have no such option, and nginx answers the same way.
 * <p>
 * Compiled for Java 22 (the API's first final release) and loaded only there, by
 * {@link CatchAllSockets}; the rest of the application is compiled for 17. The structures
 * are those of Linux on 64-bit x86 and ARM, the only platforms it is opened on.
 *
 * @author tcp-greeter team
 */
final class PacketInfoSocket implements CatchAllSocket {

	private static final int SOCK_DGRAM = 2;

	private static final int SOCK_CLOEXEC = 0x80000;

	private static final int SOL_SOCKET = 1;

	private static final int SO_REUSEPORT = 15;

	private static final int SO_RCVTIMEO = 20;

	private static final int IPPROTO_IP = 0;

	private static final int IP_PKTINFO = 8;

	private static final int IPPROTO_IPV6 = 41;

	private static final int IPV6_V6ONLY = 26;

	private static final int IPV6_RECVPKTINFO = 49;

	private static final int IPV6_PKTINFO = 50;

	private static final int EAGAIN = 11;

	private static final int EINTR = 4;

	private static final int EAFNOSUPPORT = 97;

	private static final int SHUT_RDWR = 2;

	// struct msghdr, struct iovec and struct cmsghdr on LP64 Linux.
	private static final long MSG_NAME = 0;

	private static final long MSG_NAMELEN = 8;

	private static final long MSG_IOV = 16;

	private static final long MSG_IOVLEN = 24;

	private static final long MSG_CONTROL = 32;

	private static final long MSG_CONTROLLEN = 40;

	private static final long MSGHDR_SIZE = 56;

	private static final long CMSG_HEADER = 16;

	// What arrives is ignored past this: a request's content does not matter.
	private static final int BUFFER_SIZE = 2048;

	// The largest UDP payload, as udp.max-reply-size allows.
	private static final int REPLY_SIZE = 65_507;

	private static final int CONTROL_SIZE = 128;

	private static final Native NATIVE = new Native();

	private final int fd;

	private final boolean ipv6;

	private final int port;

	private final Arena arena = Arena.ofShared();

	private final MemorySegment buffer;

	private final MemorySegment receiveHeader;

	private final MemorySegment sendHeader;

	private volatile boolean closed;

	private PacketInfoSocket(int fd, boolean ipv6, int port) {
		this.fd = fd;
		this.ipv6 = ipv6;
		this.port = port;
		this.buffer = this.arena.allocate(BUFFER_SIZE);
		this.receiveHeader = header(this.arena, this.buffer, BUFFER_SIZE);
		this.sendHeader = header(this.arena, this.arena.allocate(REPLY_SIZE), 0);
	}

	/**
	 * Open and bind a socket to the wildcard address of one family, sharing its port with
	 * the per-address sockets ({@code SO_REUSEPORT}, which they set too).
	 * @param ipv6 IPv6 (only: IPv4 has its own socket) or IPv4
	 * @param port the port
	 * @return the socket
	 * @throws IOException if it cannot be opened or bound
	 */
	static PacketInfoSocket open(boolean ipv6, int port) throws IOException {
		int fd = NATIVE.socket(ipv6 ? CLibrary.AF_INET6 : CLibrary.AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		try (Arena arena = Arena.ofConfined()) {
			NATIVE.setIntOption(arena, fd, SOL_SOCKET, SO_REUSEPORT, 1);
			if (ipv6) {
				NATIVE.setIntOption(arena, fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
				NATIVE.setIntOption(arena, fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
			}
			else {
				NATIVE.setIntOption(arena, fd, IPPROTO_IP, IP_PKTINFO, 1);
			}
			// A receive that returns every quarter of a second, so that a close is noticed.
			MemorySegment timeout = arena.allocate(16, 8);
			timeout.set(ValueLayout.JAVA_LONG, 0, 0);
			timeout.set(ValueLayout.JAVA_LONG, 8, 250_000);
			NATIVE.setOption(arena, fd, SOL_SOCKET, SO_RCVTIMEO, timeout);
			MemorySegment address = arena.allocate(28, 8);
			int length = writeAddress(address, ipv6 ? InetAddress.getByName("::") : InetAddress.getByName("0.0.0.0"),
					port);
			NATIVE.bind(arena, fd, address, length);
		}
		catch (IOException | RuntimeException ex) {
			NATIVE.close(fd);
			throw ex;
		}
		return new PacketInfoSocket(fd, ipv6, port);
	}

	private static MemorySegment header(Arena arena, MemorySegment buffer, long length) {
		MemorySegment header = arena.allocate(MSGHDR_SIZE, 8);
		MemorySegment name = arena.allocate(28, 8);
		MemorySegment iov = arena.allocate(16, 8);
		MemorySegment control = arena.allocate(CONTROL_SIZE, 8);
		iov.set(ValueLayout.ADDRESS, 0, buffer);
		iov.set(ValueLayout.JAVA_LONG, 8, length);
		header.set(ValueLayout.ADDRESS, MSG_NAME, name);
		header.set(ValueLayout.JAVA_INT, MSG_NAMELEN, 28);
		header.set(ValueLayout.ADDRESS, MSG_IOV, iov);
		header.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, 1);
		header.set(ValueLayout.ADDRESS, MSG_CONTROL, control);
		header.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, CONTROL_SIZE);
		return header;
	}

	// Called by one thread only, the listener's receive loop.
	@Override
	public CatchAllSocket.@Nullable Received receive() throws IOException {
		if (this.closed) {
			return null;
		}
		MemorySegment header = this.receiveHeader;
		header.set(ValueLayout.JAVA_INT, MSG_NAMELEN, 28);
		header.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, CONTROL_SIZE);
		long received = NATIVE.recvmsg(this.fd, header);
		if (received < 0 || this.closed) {
			return null; // the timeout, an interrupted call, or a closed socket
		}
		MemorySegment name = header.get(ValueLayout.ADDRESS, MSG_NAME).reinterpret(28);
		InetSocketAddress source = CLibrary.socketAddress(name);
		MemorySegment control = header.get(ValueLayout.ADDRESS, MSG_CONTROL).reinterpret(CONTROL_SIZE);
		long controlLength = header.get(ValueLayout.JAVA_LONG, MSG_CONTROLLEN);
		for (long offset = 0; offset + CMSG_HEADER <= controlLength;) {
			long length = control.get(ValueLayout.JAVA_LONG, offset);
			int level = control.get(ValueLayout.JAVA_INT, offset + 8);
			int type = control.get(ValueLayout.JAVA_INT, offset + 12);
			if (length < CMSG_HEADER) {
				break;
			}
			MemorySegment data = control.asSlice(offset + CMSG_HEADER);
			if (level == IPPROTO_IP && type == IP_PKTINFO) {
				// struct in_pktinfo: ifindex, the local address (ipi_spec_dst), the
				// header's destination (ipi_addr). They differ for a broadcast, whose
				// reply leaves from the interface's own address.
				int index = data.get(ValueLayout.JAVA_INT, 0);
				InetAddress local = InetAddress.getByAddress(data.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE));
				return new Received(source, local, index);
			}
			if (level == IPPROTO_IPV6 && type == IPV6_PKTINFO) {
				// struct in6_pktinfo: the destination, then the interface index.
				InetAddress destination = InetAddress
					.getByAddress(data.asSlice(0, 16).toArray(ValueLayout.JAVA_BYTE));
				return new Received(source, destination, data.get(ValueLayout.JAVA_INT, 16));
			}
			offset += (length + 7) & ~7L;
		}
		return new Received(source, null, 0);
	}

	@Override
	public void reply(byte[] payload, Received received) throws IOException {
		InetAddress from = received.destination();
		if (from == null || this.closed) {
			throw new IOException("no destination to reply from");
		}
		MemorySegment header = this.sendHeader;
		MemorySegment name = header.get(ValueLayout.ADDRESS, MSG_NAME).reinterpret(28);
		int nameLength = writeAddress(name, mapped(received.source().getAddress()), received.source().getPort());
		header.set(ValueLayout.JAVA_INT, MSG_NAMELEN, nameLength);
		MemorySegment iov = header.get(ValueLayout.ADDRESS, MSG_IOV).reinterpret(16);
		MemorySegment data = iov.get(ValueLayout.ADDRESS, 0).reinterpret(REPLY_SIZE);
		if (payload.length > REPLY_SIZE) {
			throw new IOException(payload.length + " bytes, more than a reply from this socket may carry");
		}
		MemorySegment.copy(payload, 0, data, ValueLayout.JAVA_BYTE, 0, payload.length);
		iov.set(ValueLayout.JAVA_LONG, 8, payload.length);
		MemorySegment control = header.get(ValueLayout.ADDRESS, MSG_CONTROL).reinterpret(CONTROL_SIZE);
		control.fill((byte) 0);
		long controlSpace;
		if (this.ipv6) {
			control.set(ValueLayout.JAVA_LONG, 0, CMSG_HEADER + 20);
			control.set(ValueLayout.JAVA_INT, 8, IPPROTO_IPV6);
			control.set(ValueLayout.JAVA_INT, 12, IPV6_PKTINFO);
			MemorySegment.copy(from.getAddress(), 0, control, ValueLayout.JAVA_BYTE, CMSG_HEADER, 16);
			control.set(ValueLayout.JAVA_INT, CMSG_HEADER + 16, received.interfaceIndex());
			controlSpace = CMSG_HEADER + 24;
		}
		else {
			// ipi_spec_dst is the source the reply leaves from; no interface is forced.
			control.set(ValueLayout.JAVA_LONG, 0, CMSG_HEADER + 12);
			control.set(ValueLayout.JAVA_INT, 8, IPPROTO_IP);
			control.set(ValueLayout.JAVA_INT, 12, IP_PKTINFO);
			MemorySegment.copy(from.getAddress(), 0, control, ValueLayout.JAVA_BYTE, CMSG_HEADER + 4, 4);
			controlSpace = CMSG_HEADER + 16;
		}
		header.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, controlSpace);
		NATIVE.sendmsg(this.fd, header);
	}

	private InetAddress mapped(InetAddress address) throws UnknownHostException {
		if (this.ipv6 && address instanceof Inet4Address) {
			byte[] v4 = address.getAddress();
			byte[] v6 = new byte[16];
			v6[10] = (byte) 0xff;
			v6[11] = (byte) 0xff;
			System.arraycopy(v4, 0, v6, 12, 4);
			return InetAddress.getByAddress(v6);
		}
		return address;
	}

	@Override
	public boolean readsDestination() {
		return true;
	}

	@Override
	public InetSocketAddress localAddress() {
		return new InetSocketAddress(this.ipv6 ? "::" : "0.0.0.0", this.port);
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		// shutdown wakes a receive under way; the descriptor is closed once it returned,
		// so that no other socket can get its number while this one still reads it.
		NATIVE.shutdown(this.fd);
	}

	@Override
	public void release() {
		NATIVE.close(this.fd);
		this.arena.close();
	}

	private static int writeAddress(MemorySegment target, InetAddress address, int port) {
		target.fill((byte) 0);
		byte[] bytes = address.getAddress();
		if (address instanceof Inet6Address) {
			target.set(ValueLayout.JAVA_SHORT, 0, (short) CLibrary.AF_INET6);
			target.set(CLibrary.SHORT_BE, 2, (short) port);
			MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 8, 16);
			target.set(ValueLayout.JAVA_INT, 24, ((Inet6Address) address).getScopeId());
			return 28;
		}
		target.set(ValueLayout.JAVA_SHORT, 0, (short) CLibrary.AF_INET);
		target.set(CLibrary.SHORT_BE, 2, (short) port);
		MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 4, 4);
		return 16;
	}

	/**
	 * The C library's socket calls, each with its {@code errno}.
	 */
	private static final class Native {

		private final StructLayout state = Linker.Option.captureStateLayout();

		private final VarHandle errno = this.state.varHandle(MemoryLayout.PathElement.groupElement("errno"));

		private final MethodHandle socket;

		private final MethodHandle setsockopt;

		private final MethodHandle bind;

		private final MethodHandle recvmsg;

		private final MethodHandle sendmsg;

		private final MethodHandle shutdown;

		private final MethodHandle close;

		private final MethodHandle strerror;

		Native() {
			Linker.Option errno = Linker.Option.captureCallState("errno");
			ValueLayout.OfInt i = ValueLayout.JAVA_INT;
			ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
			ValueLayout pointer = ValueLayout.ADDRESS;
			this.socket = CLibrary.function("socket", FunctionDescriptor.of(i, i, i, i), errno);
			this.setsockopt = CLibrary.function("setsockopt", FunctionDescriptor.of(i, i, i, i, pointer, i), errno);
			this.bind = CLibrary.function("bind", FunctionDescriptor.of(i, i, pointer, i), errno);
			this.recvmsg = CLibrary.function("recvmsg", FunctionDescriptor.of(l, i, pointer, i), errno);
			this.sendmsg = CLibrary.function("sendmsg", FunctionDescriptor.of(l, i, pointer, i), errno);
			this.shutdown = CLibrary.function("shutdown", FunctionDescriptor.of(i, i, i));
			this.close = CLibrary.function("close", FunctionDescriptor.of(i, i));
			this.strerror = CLibrary.function("strerror", FunctionDescriptor.of(pointer, i));
		}

		int socket(int domain, int type, int protocol) throws IOException {
			try (Arena arena = Arena.ofConfined()) {
				MemorySegment state = arena.allocate(this.state);
				int fd = (int) this.socket.invokeExact(state, domain, type, protocol);
				if (fd < 0) {
					throw failure("socket", state);
				}
				return fd;
			}
			catch (IOException | RuntimeException | Error ex) {
				throw ex;
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		}

		void setIntOption(Arena arena, int fd, int level, int option, int value) throws IOException {
			MemorySegment segment = arena.allocate(ValueLayout.JAVA_INT);
			segment.set(ValueLayout.JAVA_INT, 0, value);
			setOption(arena, fd, level, option, segment);
		}

		void setOption(Arena arena, int fd, int level, int option, MemorySegment value) throws IOException {
			MemorySegment state = arena.allocate(this.state);
			int result;
			try {
				result = (int) this.setsockopt.invokeExact(state, fd, level, option, value, (int) value.byteSize());
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
			if (result != 0) {
				throw failure("setsockopt(" + level + ", " + option + ")", state);
			}
		}

		void bind(Arena arena, int fd, MemorySegment address, int length) throws IOException {
			MemorySegment state = arena.allocate(this.state);
			int result;
			try {
				result = (int) this.bind.invokeExact(state, fd, address, length);
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
			if (result != 0) {
				throw failure("bind", state);
			}
		}

		long recvmsg(int fd, MemorySegment header) throws IOException {
			try (Arena arena = Arena.ofConfined()) {
				MemorySegment state = arena.allocate(this.state);
				long result = (long) this.recvmsg.invokeExact(state, fd, header, 0);
				if (result < 0) {
					int code = (int) this.errno.get(state, 0L);
					if (code != EAGAIN && code != EINTR) {
						throw failure("recvmsg", state);
					}
				}
				return result;
			}
			catch (IOException | RuntimeException | Error ex) {
				throw ex;
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		}

		void sendmsg(int fd, MemorySegment header) throws IOException {
			try (Arena arena = Arena.ofConfined()) {
				MemorySegment state = arena.allocate(this.state);
				long result = (long) this.sendmsg.invokeExact(state, fd, header, 0);
				if (result < 0) {
					throw failure("sendmsg", state);
				}
			}
			catch (IOException | RuntimeException | Error ex) {
				throw ex;
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		}

		void shutdown(int fd) {
			try {
				int ignored = (int) this.shutdown.invokeExact(fd, SHUT_RDWR);
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		}

		void close(int fd) {
			try {
				int ignored = (int) this.close.invokeExact(fd);
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		}

		private IOException failure(String call, MemorySegment state) {
			int code = (int) this.errno.get(state, 0L);
			String message;
			try {
				MemorySegment text = (MemorySegment) this.strerror.invokeExact(code);
				message = text.reinterpret(256).getString(0);
			}
			catch (Throwable ex) {
				message = "errno " + code;
			}
			if (code == EAFNOSUPPORT) {
				return new CatchAllSocket.NoAddressFamily(call + ": " + message);
			}
			return new IOException(call + ": " + message);
		}

	}

}
