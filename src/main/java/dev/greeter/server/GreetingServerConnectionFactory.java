package dev.greeter.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.integration.ip.tcp.connection.TcpConnectionSupport;
import org.springframework.integration.ip.tcp.connection.TcpNetServerConnectionFactory;

/**
 * Spring Integration's {@link TcpNetServerConnectionFactory} with an accept loop that
 * survives what runs out, and a stop that resets nothing it accepted.
 * <p>
 * The accept loop only accepts: each socket is handed to a thread of its own, which reads
 * its PROXY header and starts TLS ({@link ConnectionStart}), then makes it a connection,
 * registered with the factory as the framework's loop would, and runs it. So no client
 * that is slow to send its header or its handshake holds up the others.
 * <p>
 * Why its own loop: the framework's stops the listener for good on the first failed
 * accept, so a process that ran out of file descriptors for a moment refused every client
 * afterwards while it still looked alive. Here a failed accept on a listening socket that
 * is still open is transient, as nginx treats it: it is counted by kind, reported
 * rate-limited without a stack trace, and the loop backs off (10 ms doubling to 500 ms)
 * and accepts again, so the server serves as soon as descriptors are free. Only a failure
 * that cannot be recovered (the listening socket gone, or an unexpected error) stops the
 * listener, and then liveness becomes BROKEN, so the orchestrator restarts the process.
 * <p>
 * Why {@link #stopAccepting}: {@code stop()} closes every open connection at once, and
 * closing a listening socket resets the connections the kernel has accepted but the
 * server has not taken yet. Stopping to accept therefore first takes and greets what
 * waits in the backlog, until none has arrived for {@value #DRAIN_QUIET_MILLIS} ms (at
 * most {@value #DRAIN_MAX_SECONDS} s), and only then closes the listening socket.
 *
 * @author tcp-greeter team
 */
final class GreetingServerConnectionFactory extends TcpNetServerConnectionFactory {

	static final long DRAIN_QUIET_MILLIS = 100;

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

	private final CompletableFuture<Integer> bound = new CompletableFuture<>();

	GreetingServerConnectionFactory(TcpGreeter listener, ServerTimers timers) {
		super(listener.settings().port());
		this.listener = listener;
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

	private ServerSocket openServerSocket() throws IOException {
		InetAddress address = (getLocalAddress() != null) ? InetAddress.getByName(getLocalAddress()) : null;
		ServerSocket socket = createServerSocket(super.getPort(), getBacklog(), address);
		getTcpSocketSupport().postProcessServerSocket(socket);
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
		try {
			getTaskExecutor().execute(() -> {
				try {
					open(socket);
				}
				finally {
					this.listener.limit().release();
				}
			});
			harvestClosedConnections();
		}
		catch (RuntimeException ex) {
			// No thread for this client (the thread limit, say): the others are still
			// served.
			this.listener.limit().release();
			this.serveFailures.occurred(socket.getRemoteSocketAddress() + " " + ex);
			closeQuietly(socket);
		}
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
		TcpConnectionSupport connection;
		try {
			ConnectionStart.Started started = this.listener.start().start(socket);
			if (started == null) {
				return; // refused, and closed
			}
			setSocketAttributes(started.socket());
			connection = new GreetingConnection(started.socket(), socket, started.realClient(), this.listener);
			// Registers the connection among the factory's open ones; no interceptors are
			// configured, so it comes back unwrapped.
			connection = wrapConnection(connection);
			initializeConnection(connection, started.socket());
		}
		catch (IOException | RuntimeException ex) {
			// The client went away before it was a connection, or there is no connection
			// for it: the others are still served.
			if (!(ex instanceof IOException)) {
				this.serveFailures.occurred(socket.getRemoteSocketAddress() + " " + ex);
			}
			closeQuietly(socket);
			return;
		}
		connection.run();
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
