import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The floor of tcp-greeter's own design without tcp-greeter, for bench/run.sh (BARE_MODE=clean): the
 * system calls tcp-greeter makes per connection, and none of the framework, the log line or the meters.
 * The plain bare loop (BareServer) closes at once; this one makes the clean close.
 * <p>
 * One thread accepts from a channel and writes the greeting to a socket that inherits {@code TCP_CORK}
 * from the listening one (as tcp-greeter sets it on Java 22 and later), half-closes, and hands the
 * channel to a second thread. That thread's selector switches it to non-blocking, reads until the
 * client's end (registering it while the client is still there) and closes it after the next select,
 * polling every millisecond while connections come fast, as tcp-greeter's drain selector does.
 * <p>
 * Java 22 and later (the foreign function API sets the cork).
 * <p>
 * With {@code recv}, what the socket's descriptor would save, which the JDK does not hand out: the
 * drain's first read is a {@code recv} with {@code MSG_DONTWAIT} on the descriptor, taken from the JDK's
 * channel by reflection (so it needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}); only a client
 * still there then costs the switch to non-blocking and the selector. A measurement, not a design.
 *
 * java --enable-native-access=ALL-UNNAMED [--add-opens java.base/sun.nio.ch=ALL-UNNAMED] bench/CleanBareServer.java PORT [recv]
 */
public class CleanBareServer {

	private static final MethodHandle FD;

	private static final MethodHandle RECV;

	private static final VarHandle ERRNO = Linker.Option.captureStateLayout()
		.varHandle(MemoryLayout.PathElement.groupElement("errno"));

	static {
		MethodHandle fd = null;
		try {
			Class<?> type = Class.forName("sun.nio.ch.SocketChannelImpl");
			fd = MethodHandles.privateLookupIn(type, MethodHandles.lookup())
				.findGetter(type, "fdVal", int.class)
				.asType(MethodType.methodType(int.class, Object.class));
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			// without --add-opens java.base/sun.nio.ch=ALL-UNNAMED: no recv mode
		}
		FD = fd;
		Linker linker = Linker.nativeLinker();
		RECV = linker.downcallHandle(linker.defaultLookup().find("recv").orElseThrow(),
				FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
						ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
				Linker.Option.captureCallState("errno"));
	}

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		boolean recv = args.length > 1 && args[1].equals("recv");
		if (args.length > 2 || (args.length > 1 && !recv)) {
			System.err.println("usage: CleanBareServer PORT [recv]");
			System.exit(2);
		}
		if (recv && FD == null) {
			System.err.println("recv needs --add-opens java.base/sun.nio.ch=ALL-UNNAMED");
			System.exit(2);
		}
		byte[] greeting = "Hello World! This is Bhushan\r\n".getBytes(StandardCharsets.US_ASCII);
		ServerSocketChannel server = ServerSocketChannel.open();
		server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
		port = server.socket().getLocalPort();
		System.out.println("listening on " + port + " with the clean close" + (recv ? " (recv)" : "") + "; TCP_CORK "
				+ cork(port));
		CleanClose drain = new CleanClose(recv);
		new Thread(drain, "drain").start();
		serveCleanly(server, greeting, drain);
	}

	private static void serveCleanly(ServerSocketChannel server, byte[] greeting, CleanClose drain)
			throws IOException {
		while (true) {
			SocketChannel channel = server.accept();
			try {
				channel.socket().getOutputStream().write(greeting);
				channel.shutdownOutput();
				drain.add(channel);
			}
			catch (IOException ex) {
				channel.close(); // a client that went away; the next one is served
			}
		}
	}

	/** The drain thread: reads each channel to its client's end, then closes it. */
	static final class CleanClose implements Runnable {

		private final Queue<SocketChannel> arriving = new ConcurrentLinkedQueue<>();

		private final Selector selector;

		private final ByteBuffer discard = ByteBuffer.allocateDirect(8192);

		private volatile boolean sleeping;

		// Ended since the last select, and ended before it (so deregistered by it).
		private List<SocketChannel> ended = new ArrayList<>();

		private List<SocketChannel> closing = new ArrayList<>();

		// The descriptor's first read without the switch to non-blocking: MSG_DONTWAIT.
		private final boolean recv;

		private final MemorySegment buffer = Arena.global().allocate(8192);

		private final MemorySegment errno = Arena.global().allocate(Linker.Option.captureStateLayout());

		CleanClose(boolean recv) throws IOException {
			this.recv = recv;
			this.selector = Selector.open();
		}

		void add(SocketChannel channel) {
			this.arriving.offer(channel);
			if (this.sleeping) {
				this.selector.wakeup();
			}
		}

		@Override
		public void run() {
			int lastArrivals = 0;
			try {
				while (true) {
					List<SocketChannel> deregistering = this.ended;
					this.ended = this.closing;
					this.closing = deregistering;
					if (this.selector.keys().isEmpty() && deregistering.isEmpty()) {
						if (lastArrivals >= 4) {
							if (this.arriving.isEmpty()) {
								this.selector.select(this::readable, 1);
							}
						}
						else {
							this.sleeping = true;
							if (this.arriving.isEmpty()) {
								this.selector.select(this::readable, 0);
							}
							this.sleeping = false;
						}
					}
					else if (this.arriving.isEmpty() && deregistering.isEmpty()) {
						this.selector.select(this::readable, 10);
					}
					else {
						this.selector.selectNow(this::readable);
					}
					for (SocketChannel channel : this.closing) {
						channel.close();
					}
					this.closing.clear();
					int arrivals = 0;
					SocketChannel channel;
					while ((channel = this.arriving.poll()) != null) {
						arrivals++;
						try {
							if (this.recv) {
								int state = received(channel);
								if (state != 0) {
									channel.close(); // its end, or a failed read
									continue;
								}
							}
							channel.configureBlocking(false);
							if (ended(channel)) {
								channel.close();
							}
							else {
								channel.register(this.selector, SelectionKey.OP_READ);
							}
						}
						catch (IOException ex) {
							channel.close();
						}
					}
					lastArrivals = arrivals;
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

		private void readable(SelectionKey key) {
			SocketChannel channel = (SocketChannel) key.channel();
			if (ended(channel)) {
				key.cancel();
				this.ended.add(channel);
			}
		}

		// 1 at the client's end or a failed read, 0 while it is still there (EAGAIN), as ended() reads.
		private int received(SocketChannel channel) {
			try {
				int fd = (int) FD.invokeExact((Object) channel);
				for (int i = 0; i < 16; i++) {
					long n = (long) RECV.invokeExact(this.errno, fd, this.buffer, 8192L, 0x40); // MSG_DONTWAIT
					if (n == 0) {
						return 1;
					}
					if (n < 0) {
						int error = (int) ERRNO.get(this.errno, 0L);
						return (error == 11) ? 0 : 1; // EAGAIN
					}
				}
				return 0;
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		}

		// Reads what the client sent: true at its end (or a failed read).
		private boolean ended(SocketChannel channel) {
			try {
				for (int i = 0; i < 16; i++) {
					this.discard.clear();
					int read = channel.read(this.discard);
					if (read < 0) {
						return true;
					}
					if (read == 0) {
						return false;
					}
				}
				return false;
			}
			catch (IOException ex) {
				return true;
			}
		}

	}

	// TCP_CORK on the listening socket of this port, found among the process's descriptors (the JDK hands
	// out none), as tcp-greeter's ListeningSocketCork does. Returns what happened.
	private static String cork(int port) {
		try (Arena arena = Arena.ofConfined();
				DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
			Linker linker = Linker.nativeLinker();
			ValueLayout.OfInt i = ValueLayout.JAVA_INT;
			MethodHandle getsockopt = linker.downcallHandle(linker.defaultLookup().find("getsockopt").orElseThrow(),
					FunctionDescriptor.of(i, i, i, i, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
			MethodHandle setsockopt = linker.downcallHandle(linker.defaultLookup().find("setsockopt").orElseThrow(),
					FunctionDescriptor.of(i, i, i, i, ValueLayout.ADDRESS, i));
			MethodHandle getsockname = linker.downcallHandle(linker.defaultLookup().find("getsockname").orElseThrow(),
					FunctionDescriptor.of(i, i, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
			MemorySegment value = arena.allocate(i);
			MemorySegment length = arena.allocate(i);
			MemorySegment address = arena.allocate(128);
			for (Path entry : entries) {
				int fd;
				try {
					fd = Integer.parseInt(entry.getFileName().toString());
				}
				catch (NumberFormatException ex) {
					continue;
				}
				length.set(i, 0, 4);
				// SOL_SOCKET, SO_ACCEPTCONN
				if ((int) getsockopt.invokeExact(fd, 1, 30, value, length) != 0 || value.get(i, 0) != 1) {
					continue;
				}
				length.set(i, 0, 128);
				if ((int) getsockname.invokeExact(fd, address, length) != 0) {
					continue;
				}
				// sin_port and sin6_port: bytes 2 and 3, in network order
				int bound = ((address.get(ValueLayout.JAVA_BYTE, 2) & 0xff) << 8)
						| (address.get(ValueLayout.JAVA_BYTE, 3) & 0xff);
				if (bound == port) {
					value.set(i, 0, 1);
					// IPPROTO_TCP, TCP_CORK
					return ((int) setsockopt.invokeExact(fd, 6, 3, value, 4) == 0) ? "set" : "not set (refused)";
				}
			}
			return "not set (no listening socket found)";
		}
		catch (Throwable ex) {
			return "not set (" + ex + ")";
		}
	}

}
