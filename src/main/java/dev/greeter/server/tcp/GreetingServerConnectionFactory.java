package dev.greeter.server.tcp;

import dev.greeter.server.AcceptFailure;
import dev.greeter.server.RateLimitedWarning;
import dev.greeter.server.ServerTimers;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.integration.ip.tcp.connection.TcpConnectionSupport;
import org.springframework.integration.ip.tcp.connection.TcpNetServerConnectionFactory;

import dev.greeter.greeting.ServedGreeting;

/**
 * Spring Integration's {@link TcpNetServerConnectionFactory} with the connection model of
 * an event-driven server: no thread per connection where none is needed, an accept loop
 * that survives what runs out, and a stop that resets nothing it accepted.
 * <p>
 * <b>Who runs a connection.</b> One platform thread per listener accepts, from a
 * {@link ServerSocketChannel}, so that every accepted socket has a channel (on a PROXY or
 * TLS listener with virtual threads, a virtual thread: see {@link #getTaskExecutor}).
 * Then:
 * <ul>
 * <li><b>On the accepting thread</b>, a plain connection (no PROXY header to read, no
 * TLS) whose greeting fits a new socket's send buffer at once
 * ({@link ConnectionGreeter#fittingAtOnce()}): it is made a connection, registered with
 * the factory, greeted through the outbound adapter (a direct channel, so on this thread)
 * and half-closed, then handed to the listener's {@link DrainSelector}, which reads until
 * the client closes and closes it. Nothing here can block on a client: the write fits the
 * buffer, and nothing is read. No thread is started and nothing parks per connection.
 * (The hand-over waits only for the selector, when it has fallen hundreds of connections
 * behind: see {@link DrainSelector#drain}.)</li>
 * <li><b>On a thread of its own</b> ({@link ConnectionThreads}), everything that could
 * block: a PROXY header still to arrive, a TLS handshake, a greeting too large to fit at
 * once (or rendered per connection, whose size is known only then). There it is read,
 * started ({@link ConnectionStart}), greeted and drained with blocking I/O, bounded by
 * the {@link LingerSweep}, as before; so no slow client holds up the others.</li>
 * </ul>
 * <p>
 * <b>Why its own accept loop:</b> the framework's stops the listener for good on the
 * first failed accept, so a process that ran out of file descriptors for a moment refused
 * every client afterwards while it still looked alive. Here a failed accept on a
 * listening socket that is still open is transient, as nginx treats it: it is counted by
 * kind, reported rate-limited without a stack trace, and the loop backs off (10 ms
 * doubling to 500 ms) and accepts again, so the server serves as soon as descriptors are
 * free. Only a failure that cannot be recovered (the listening socket gone, or an
 * unexpected error) stops the listener, and then liveness becomes BROKEN, so the
 * orchestrator restarts the process.
 * <p>
 * <b>Why {@link #stopAccepting}:</b> {@code stop()} closes every open connection at once,
 * and closing a listening socket resets the connections the kernel has accepted but the
 * server has not taken yet. Stopping to accept therefore first takes and greets what
 * waits in the backlog, until none has arrived for {@value #DRAIN_QUIET_MILLIS} ms (at
 * most {@value #DRAIN_MAX_SECONDS} s), and only then closes the listening socket.
 *
 * @author tcp-greeter team
 */
final class GreetingServerConnectionFactory extends TcpNetServerConnectionFactory {

	static final long DRAIN_QUIET_MILLIS = 100;

	// Harvest once every 1024 accepts.
	private static final long HARVEST_MASK = 1023;

	static final long DRAIN_MAX_SECONDS = 5;

	private static final Logger logger = LoggerFactory.getLogger(GreetingServerConnectionFactory.class);

	private static final long MIN_BACKOFF_MILLIS = 10;

	private static final long MAX_BACKOFF_MILLIS = 500;

	private final TcpGreeter listener;

	private final RateLimitedWarning acceptFailures;

	private final RateLimitedWarning serveFailures;

	private final AtomicLong accepted = new AtomicLong();

	private volatile @Nullable ServerSocket listening;

	private volatile boolean draining;

	private final ConnectionThreads connectionThreads;

	private volatile @Nullable DrainSelector drain;

	private final CompletableFuture<Integer> bound = new CompletableFuture<>();

	GreetingServerConnectionFactory(TcpGreeter listener, ServerTimers timers, ConnectionThreads connectionThreads) {
		super(listener.settings().port());
		this.listener = listener;
		this.connectionThreads = connectionThreads;
		this.acceptFailures = timers.warning(logger,
				"{} accept(s) failed since the last report, the server backs off and retries; the last: {}");
		this.serveFailures = timers.warning(logger,
				"{} accepted connection(s) closed without a greeting since the last report, for want of a thread or "
						+ "a connection; the last: {}");
	}

	/**
	 * The port really bound, once the listening socket is open.
	 * @return the port, or the failure to listen
	 */
	CompletableFuture<Integer> bound() {
		return this.bound;
	}

	@Override
	public void run() {
		if (getListener() == null) {
			// A listener that will not accept: a warning, which the level this class's
			// framework lines are kept at (application.properties) still shows.
			logger.warn("{} has no listener; it will not accept", this);
			return;
		}
		ServerSocket socket;
		try {
			socket = openServerSocket();
		}
		catch (IOException ex) {
			// Start-up fails on this (Listeners), naming the port.
			this.bound.completeExceptionally(ex);
			publishServerExceptionEvent(ex);
			setActive(false);
			return;
		}
		if (this.listener.start().passesThrough()) {
			try {
				this.drain = new DrainSelector(this.listener.name(), this.listener.settings().linger(),
						this.listener.settings().property("linger"));
			}
			catch (IOException ex) {
				// No selector (no descriptor for it, say): every connection takes a
				// thread.
				logger.warn("Greeting server on port {}{} drains every connection on a thread of its own: no "
						+ "selector ({})", getPort(), this.listener.describeName(), ex.toString());
			}
		}
		try {
			acceptUntilStopped(socket);
		}
		catch (RuntimeException | Error ex) {
			broken(ex);
		}
		finally {
			closeQuietly(socket);
			setListening(false);
		}
	}

	// A channel's server socket: what it accepts has a channel, which the drain selector
	// reads. Its accept() honours SO_TIMEOUT, which stopAccepting relies on.
	private ServerSocket openServerSocket() throws IOException {
		InetAddress address = (getLocalAddress() != null) ? InetAddress.getByName(getLocalAddress()) : null;
		ServerSocketChannel channel = ServerSocketChannel.open();
		ServerSocket socket = channel.socket();
		try {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(address, super.getPort()), getBacklog());
		}
		catch (IOException ex) {
			closeQuietly(channel);
			throw ex;
		}
		getTcpSocketSupport().postProcessServerSocket(socket);
		if (!this.listener.start().encrypts()) {
			GreetingSegments.joinFin(socket,
					"Greeting server on port " + socket.getLocalPort() + this.listener.describeName());
		}
		this.listening = socket;
		setListening(true);
		this.bound.complete(socket.getLocalPort());
		publishServerListeningEvent(getPort());
		return socket;
	}

	private void acceptUntilStopped(ServerSocket socket) {
		long backoff = 0;
		while (isActive()) {
			Socket accepted;
			try {
				accepted = socket.accept();
			}
			catch (SocketTimeoutException ex) {
				if (this.draining) {
					return; // the backlog is empty
				}
				continue;
			}
			catch (IOException ex) {
				if (socket.isClosed()) {
					if (isActive() && !this.draining) {
						throw new IllegalStateException("the listening socket was closed", ex);
					}
					return; // stopped
				}
				AcceptFailure kind = AcceptFailure.of(ex);
				this.listener.observer().acceptFailed(kind);
				this.acceptFailures.occurred(ex.getMessage() + " (" + kind.tag() + ")");
				backoff = Math.min(MAX_BACKOFF_MILLIS, Math.max(MIN_BACKOFF_MILLIS, backoff * 2));
				pause(backoff);
				continue;
			}
			backoff = 0;
			this.accepted.incrementAndGet();
			serve(accepted);
		}
	}

	private void serve(Socket socket) {
		if (isShuttingDown() || !this.listener.limit().tryAcquire()) {
			closeQuietly(socket);
			return;
		}
		DrainSelector drain = this.drain;
		ServedGreeting fitting = (drain != null && drain.running()) ? this.listener.greeter().fittingAtOnce() : null;
		if (drain != null && fitting != null) {
			greetHere(socket, fitting, drain);
		}
		else {
			serveOnThread(socket);
		}
		if ((this.accepted.get() & HARVEST_MASK) == 0) {
			// A safety net only: every connection leaves the open ones when it closes
			// (forget).
			harvestClosedConnections();
		}
	}

	/**
	 * Why the listener cannot greet for long although it listens: its drain selector is
	 * stuck (see {@link DrainSelector#stalled}).
	 * @return the reason, or null
	 */
	@Nullable String stalled() {
		DrainSelector drain = this.drain;
		return (drain != null) ? drain.stalled() : null;
	}

	/**
	 * A closed connection leaves the factory's open ones at once. The framework finds
	 * closed connections only when it harvests them, a walk over every open connection
	 * under a lock, which its accept loop makes per accept: 5% of the CPU at 64 clients.
	 * @param connection a connection that has closed
	 */
	void forget(TcpConnectionSupport connection) {
		this.connectionsMonitor.lock();
		try {
			this.connections.remove(connection.getConnectionId());
		}
		finally {
			this.connectionsMonitor.unlock();
		}
	}

	// On the accepting thread: see the class comment for why nothing here blocks. The
	// connection holds its place under the limit until it closes.
	private void greetHere(Socket socket, ServedGreeting greeting, DrainSelector drain) {
		GreetingConnection connection;
		try {
			setSocketAttributes(socket);
			connection = new GreetingConnection(socket, socket, null, this.listener);
			register(connection, socket);
		}
		catch (IOException | RuntimeException ex) {
			this.listener.limit().release();
			notAConnection(socket, ex);
			return;
		}
		connection.greetWhereAccepted(greeting, drain);
	}

	private void serveOnThread(Socket socket) {
		try {
			this.connectionThreads.executor().execute(() -> {
				try {
					open(socket);
				}
				finally {
					this.listener.limit().release();
				}
			});
		}
		catch (RuntimeException ex) {
			// No thread for this client (the thread limit, say): the others are still
			// served.
			this.listener.limit().release();
			this.serveFailures.occurred(socket.getRemoteSocketAddress() + " " + ex);
			closeQuietly(socket);
		}
	}

	// Registers the connection among the factory's open ones, as the framework's accept
	// loop does; no interceptors are configured, so it comes back unwrapped.
	private void register(TcpConnectionSupport connection, Socket socket) {
		initializeConnection(wrapConnection(connection), socket);
	}

	// The client went away before it was a connection, or there is no connection for it:
	// the others are still served.
	private void notAConnection(Socket socket, Exception ex) {
		if (!(ex instanceof IOException)) {
			this.serveFailures.occurred(socket.getRemoteSocketAddress() + " " + ex);
		}
		closeQuietly(socket);
	}

	// The framework sets TCP_NODELAY and SO_KEEPALIVE on every socket, to their defaults
	// too (off, which an accepted socket already has): two system calls per connection
	// that change nothing, a few per cent of the CPU at 64 clients (docs/BENCHMARKS.md).
	// Only what is configured away from the defaults is set here.
	@Override
	protected void setSocketAttributes(Socket socket) throws SocketException {
		if (getSoTimeout() >= 0) {
			socket.setSoTimeout(getSoTimeout());
		}
		if (getSoSendBufferSize() > 0) {
			socket.setSendBufferSize(getSoSendBufferSize());
		}
		if (getSoReceiveBufferSize() > 0) {
			socket.setReceiveBufferSize(getSoReceiveBufferSize());
		}
		if (isSoTcpNoDelay()) {
			socket.setTcpNoDelay(true);
		}
		if (getSoLinger() >= 0) {
			socket.setSoLinger(true, getSoLinger());
		}
		if (getSoTrafficClass() >= 0) {
			socket.setTrafficClass(getSoTrafficClass());
		}
		if (isSoKeepAlive()) {
			socket.setKeepAlive(true);
		}
		getTcpSocketSupport().postProcessSocket(socket);
	}

	// On the connection's own thread.
	private void open(Socket socket) {
		GreetingConnection connection;
		try {
			ConnectionStart.Started started = this.listener.start().start(socket);
			if (started == null) {
				return; // refused, and closed
			}
			setSocketAttributes(started.socket());
			connection = new GreetingConnection(started.socket(), socket, started.realClient(), this.listener);
			register(connection, started.socket());
		}
		catch (IOException | RuntimeException ex) {
			notAConnection(socket, ex);
			return;
		}
		connection.run();
	}

	/**
	 * The framework's {@code start()} runs the accept loop ({@link #run()}) on this
	 * executor: a platform thread of the listener's own, since it blocks in accept and
	 * greets. The connections that need a thread get one from {@link ConnectionThreads}.
	 * <p>
	 * On a listener whose every connection needs a thread (a PROXY header to read, a TLS
	 * handshake) and with virtual threads, the loop runs on a virtual thread instead, as
	 * it did before the selector: a virtual thread started from a virtual thread goes to
	 * its carrier's own queue, while one started from a platform thread wakes a carrier
	 * each time. (Measured alone, its share of a PROXY listener's slowdown was within the
	 * noise; the larger cause was the header's timed read, see ConnectionStart and
	 * docs/BENCHMARKS.md.)
	 * @return an executor that starts the accepting thread
	 */
	@Override
	protected Executor getTaskExecutor() {
		if (!this.listener.start().passesThrough() && this.connectionThreads.virtual()) {
			return this.connectionThreads.executor();
		}
		return (loop) -> {
			Thread thread = new Thread(loop, "accept-" + this.listener.name());
			thread.setDaemon(true);
			thread.start();
		};
	}

	private void broken(Throwable ex) {
		logger.error("Greeting server stopped listening on port {}{}: {}; liveness is BROKEN so that the process "
				+ "is restarted", getPort(), this.listener.describeName(), ex.toString(), ex);
		publishServerExceptionEvent((ex instanceof Exception exception) ? exception : new IllegalStateException(ex));
		AvailabilityChangeEvent.publish(getApplicationEventPublisher(), this, LivenessState.BROKEN);
	}

	/**
	 * Stop accepting: take and greet what already waits in the backlog, then close the
	 * listening socket. New connections are refused from then on; the open ones go on.
	 * Returns once the accept loop has ended.
	 */
	void stopAccepting() {
		ServerSocket socket = this.listening;
		if (socket == null || socket.isClosed()) {
			return;
		}
		this.draining = true;
		try {
			// Takes effect at the next accept; one that is blocked now waits on an empty
			// backlog, and is ended below once nothing has arrived for a quiet period.
			socket.setSoTimeout((int) DRAIN_QUIET_MILLIS);
		}
		catch (IOException ex) {
			closeQuietly(socket);
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_MAX_SECONDS);
		long seen = this.accepted.get();
		while (isListening() && System.nanoTime() - deadline < 0) {
			if (!pause(DRAIN_QUIET_MILLIS)) {
				break;
			}
			long now = this.accepted.get();
			if (now == seen) {
				break; // nothing arrived for a whole quiet period
			}
			seen = now;
		}
		closeQuietly(socket);
		while (isListening()) {
			if (!pause(MIN_BACKOFF_MILLIS)) {
				return;
			}
		}
	}

	@Override
	public void stop() {
		ServerSocket socket = this.listening;
		if (socket != null) {
			this.draining = true;
			closeQuietly(socket);
		}
		super.stop();
		DrainSelector drain = this.drain;
		if (drain != null) {
			// After the factory closed its connections: the selector's close releases the
			// channels it still held.
			drain.stop();
			this.drain = null;
		}
	}

	@Override
	public int getPort() {
		int port = super.getPort();
		ServerSocket socket = this.listening;
		return (port == 0 && socket != null) ? socket.getLocalPort() : port;
	}

	@Override
	public @Nullable SocketAddress getServerSocketAddress() {
		ServerSocket socket = this.listening;
		return (socket != null) ? socket.getLocalSocketAddress() : null;
	}

	@Override
	protected @Nullable ServerSocket getServerSocket() {
		return this.listening;
	}

	private static boolean pause(long millis) {
		try {
			Thread.sleep(millis);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private static void closeQuietly(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// closed already, or the peer has gone: nothing to do
		}
	}

}
