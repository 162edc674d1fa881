package dev.greeter.server.udp;

import dev.greeter.server.Java22Method;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Opens a wildcard listener's catch-all sockets: with {@code IP_PKTINFO} where the
 * runtime can ask for it (Java 22 and later on Linux: {@code PacketInfoSocket}, compiled
 * for 22 and loaded by name, so that this class still runs on 17), else one plain
 * wildcard socket whose datagrams are dropped and counted, never answered from a guess.
 *
 * @author tcp-greeter team
 */
final class CatchAllSockets {

	private static final String PACKET_INFO_SOCKET = "dev.greeter.server.udp.PacketInfoSocket";

	private static final Support SUPPORT = detect();

	private CatchAllSockets() {
	}

	/**
	 * Whether the catch-all sockets of this process read destinations, and if not why.
	 * @return the support
	 */
	static Support support() {
		return SUPPORT;
	}

	private static Support detect() {
		Java22Method open = Java22Method.find("reading a datagram's destination", PACKET_INFO_SOCKET, "open",
				boolean.class, int.class);
		return new Support(open.method(), open.missing());
	}

	/**
	 * Bind the catch-all sockets to the wildcard address on a port that the per-address
	 * sockets share ({@code SO_REUSEPORT} on all of them, which admits only sockets of
	 * this process's user: Linux gives each datagram to the socket bound most exactly to
	 * its destination).
	 * @param port the port
	 * @return the sockets: IPv4 and IPv6 with {@code IP_PKTINFO}, or one plain socket
	 * @throws IOException if a socket cannot be bound
	 */
	static List<CatchAllSocket> open(int port) throws IOException {
		Support support = support();
		if (support.open() == null) {
			return List.of(new Unaddressed(port));
		}
		List<CatchAllSocket> sockets = new ArrayList<>();
		try {
			sockets.add(open(support.open(), false, port));
			try {
				sockets.add(open(support.open(), true, port));
			}
			catch (CatchAllSocket.NoAddressFamily ex) {
				// A host without IPv6: the IPv4 socket is all there is to serve.
			}
		}
		catch (IOException | RuntimeException ex) {
			sockets.forEach(CatchAllSocket::close);
			sockets.forEach(CatchAllSocket::release);
			throw ex;
		}
		return sockets;
	}

	private static CatchAllSocket open(Method open, boolean ipv6, int port) throws IOException {
		try {
			return (CatchAllSocket) open.invoke(null, ipv6, port);
		}
		catch (InvocationTargetException ex) {
			if (ex.getCause() instanceof IOException io) {
				throw io;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * How this process's catch-all sockets work.
	 *
	 * @param open the factory of {@code PacketInfoSocket}, or null if there is none
	 * @param missing why there is none
	 */
	record Support(@Nullable Method open, @Nullable String missing) {

		boolean readsDestination() {
			return this.open != null;
		}

	}

	/**
	 * A plain wildcard socket: it cannot tell a datagram's destination, so none of its
	 * datagrams is answered.
	 */
	private static final class Unaddressed implements CatchAllSocket {

		private final DatagramSocket socket;

		private final DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);

		Unaddressed(int port) throws IOException {
			this.socket = new DatagramSocket(null);
			try {
				this.socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
				this.socket.bind(new InetSocketAddress(port));
				this.socket.setSoTimeout(250);
			}
			catch (IOException | RuntimeException ex) {
				this.socket.close();
				throw ex;
			}
		}

		@Override
		public @Nullable Received receive() throws IOException {
			try {
				this.socket.receive(this.packet);
				return new Received((InetSocketAddress) this.packet.getSocketAddress(), null, 0);
			}
			catch (SocketTimeoutException ex) {
				return null;
			}
			catch (SocketException ex) {
				if (this.socket.isClosed()) {
					return null;
				}
				throw ex;
			}
		}

		@Override
		public void reply(byte[] payload, Received received) throws IOException {
			throw new IOException("a plain wildcard socket cannot reply from the address asked");
		}

		@Override
		public boolean readsDestination() {
			return false;
		}

		@Override
		public InetSocketAddress localAddress() {
			return (InetSocketAddress) this.socket.getLocalSocketAddress();
		}

		@Override
		public void close() {
			this.socket.close();
		}

	}

}
