package dev.greeter.server.tcp;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLSocket;

import org.jspecify.annotations.Nullable;

import org.springframework.core.serializer.Serializer;
import org.springframework.integration.ip.tcp.connection.TcpNetConnection;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;

import dev.greeter.greeting.ServedGreeting;

/**
 * One server connection: Spring Integration's {@link TcpNetConnection}, except that a
 * send writes straight to the socket and is bounded in time, the linger is ended by the
 * listener's {@link LingerSweep}, and its open, exception and close are told to its
 * listener directly (then published as application events, as the framework does).
 * <p>
 * Why unbuffered: the framework wraps each connection's output in a
 * {@code BufferedOutputStream} as large as the socket's send buffer, which the kernel's
 * autotuning makes megabytes large on a fast link. For a greeting of a few dozen bytes,
 * written once, that was most of all memory the server allocated under load
 * (docs/BENCHMARKS.md). The greeting is one array, so one unbuffered write is what the
 * buffer would have done anyway.
 * <p>
 * Why a write timeout: a blocking socket write has none, so a client that never reads a
 * greeting larger than the socket buffers would hold its thread and descriptor for ever.
 * A greeting of at most {@value #NEVER_BLOCKS} bytes always fits the smallest send buffer
 * of a new connection, so only larger ones arm a watchdog: the default greeting costs
 * nothing extra.
 * <p>
 * The linger has one mechanism, the sweep: after the greeting it bounds the drain, and on
 * TLS it also bounds the handshake, from the start. When it ends, the plain socket's
 * input is shut down, which wakes a blocked read, TLS or not, while the connection is
 * still open, so it is reported as a timeout like any other.
 *
 * @author tcp-greeter team
 */
final class GreetingConnection extends TcpNetConnection implements LingerSweep.Lingering {

	static final int NEVER_BLOCKS = 4096;

	private final Socket socket;

	private final Socket plain;

	private final TcpGreeter listener;

	private final @Nullable InetSocketAddress realClient;

	private final Lock sendLock = new ReentrantLock();

	private volatile boolean lingerExpired;

	// What the connection's log record says of it when it closes (ConnectionRecord).
	private final long openedNanos = System.nanoTime();

	private volatile String outcome = "open";

	private volatile int greetingBytes;

	private volatile @Nullable ServedGreeting greeting;

	// Set on a connection greeted where it was accepted: its place under the listener's
	// connection limit is given back when it closes, since no thread ends with it.
	private volatile boolean holdsPermit;

	private volatile @Nullable ServedGreeting chosenGreeting;

	/**
	 * Create a connection.
	 * @param socket the socket to read and write: the TLS socket on a TLS listener
	 * @param plain the accepted socket under it (the same one without TLS)
	 * @param realClient the client a PROXY protocol header named, if any
	 * @param listener the listener that accepted it
	 */
	GreetingConnection(Socket socket, Socket plain, @Nullable InetSocketAddress realClient, TcpGreeter listener) {
		// No reverse DNS lookup: it would cost a round trip per client, and tie
		// greetings to the resolver's health.
		super(socket, true, false, listener.events(), listener.factoryName());
		this.socket = socket;
		this.plain = plain;
		this.realClient = realClient;
		this.listener = listener;
	}

	/**
	 * The client a PROXY protocol header named.
	 * @return the real client, or {@code null} when the peer is the client
	 */
	@Nullable InetSocketAddress realClient() {
		return this.realClient;
	}

	TcpGreeter listener() {
		return this.listener;
	}

	void greeted(int bytes, ServedGreeting greeting) {
		this.greetingBytes = bytes;
		this.greeting = greeting;
		this.outcome = "greeted";
	}

	void outcome(String outcome) {
		this.outcome = outcome;
	}

	long openedNanos() {
		return this.openedNanos;
	}

	String outcome() {
		return this.outcome;
	}

	int greetingBytes() {
		return this.greetingBytes;
	}

	/**
	 * Whether the drain selector drains this connection (and writes its connection log
	 * line): a connection greeted where it was accepted.
	 * @return true on the selector's path
	 */
	boolean drainedBySelector() {
		return this.chosenGreeting != null;
	}

	/**
	 * The greeting chosen for this connection before it was greeted, if one was.
	 * @return the greeting, or {@code null} for the one current at the greeting
	 */
	@Nullable ServedGreeting chosenGreeting() {
		return this.chosenGreeting;
	}

	@Nullable ServedGreeting greeting() {
		return this.greeting;
	}

	/**
	 * Open and greet the connection on the accepting thread, then hand it to the drain
	 * selector: the path of a plain connection whose greeting fits the socket's send
	 * buffer at once, so that nothing here can block (see
	 * {@link GreetingServerConnectionFactory}). From now on the connection holds its
	 * place under the connection limit until it closes.
	 * @param greeting the greeting, one that fits at once
	 * @param drain the listener's drain selector
	 */
	void greetWhereAccepted(ServedGreeting greeting, DrainSelector drain) {
		this.holdsPermit = true;
		this.chosenGreeting = greeting;
		// The open event, and the greeting after it, on this thread
		// (publishConnectionOpenEvent).
		publishConnectionOpenEvent();
		if (this.greeting != null && isOpen()) {
			drain.drain(this);
		}
		// else: not greeted, and already closed by the greeter or the framework
	}

	/**
	 * Write this connection's "Connection established" line: the drain selector does, for
	 * a connection greeted where it was accepted.
	 */
	void logEstablished() {
		ServedGreeting served = this.greeting;
		if (served != null) {
			this.listener.greeter().logEstablished(this, served);
		}
	}

	/**
	 * The accepted socket's channel, which the drain selector reads.
	 * @return the channel
	 */
	SocketChannel channel() {
		SocketChannel channel = this.plain.getChannel();
		if (channel == null) {
			throw new IllegalStateException("a socket accepted without a channel");
		}
		return channel;
	}

	/**
	 * The drain selector saw the end of this connection: its client closed it, reset it,
	 * or outstayed the linger. Reported and closed as the framework does when a read
	 * ends, so that the meters and the log see what they see on the threaded path.
	 * @param cause how it ended
	 */
	void drainEnded(Exception cause) {
		if (!isOpen()) {
			return; // closed meanwhile, by the server stopping: its end is recorded
		}
		publishConnectionExceptionEvent(cause);
		closeConnection(true);
	}

	@Override
	public void run() {
		if (this.socket instanceof SSLSocket) {
			// The handshake happens at the greeting's write; a client that never starts
			// it is let go after the linger.
			this.listener.lingerSweep().started(this);
		}
		super.run();
	}

	@Override
	protected void publishConnectionOpenEvent() {
		this.listener.observer().opened(this);
		super.publishConnectionOpenEvent();
		// The open event comes on the connection's own thread before its first read: the
		// greeting is written before anything the client sent is looked at.
		this.listener.greeter().greet(this);
	}

	@Override
	protected void publishConnectionExceptionEvent(Throwable cause) {
		this.listener.observer().failed(this, cause);
		super.publishConnectionExceptionEvent(cause);
	}

	@Override
	protected void publishConnectionCloseEvent() {
		try {
			this.listener.observer().closed(this);
			this.listener.record().closed(this);
			super.publishConnectionCloseEvent();
		}
		finally {
			this.listener.factory().forget(this);
			if (this.holdsPermit) {
				this.listener.limit().release();
			}
		}
	}

	/**
	 * The framework's read, which the {@link DrainingDeserializer} turns into a drain
	 * until the client closes, bounded by the linger.
	 */
	@Override
	public Object getPayload() {
		LingerSweep sweep = this.listener.lingerSweep();
		sweep.started(this);
		try {
			return super.getPayload();
		}
		catch (RuntimeException ex) {
			if (this.lingerExpired) {
				throw DrainingDeserializer.ConnectionEnd.lingerEnded(this.listener.settings().property("linger"));
			}
			throw ex;
		}
		finally {
			sweep.ended(this);
		}
	}

	@Override
	public void lingerExpired() {
		this.lingerExpired = true;
		try {
			// The read sees the end of its input while the connection is still open, so
			// the framework reports it, then closes. On TLS, the TLS socket's read sees
			// its transport end.
			this.plain.shutdownInput();
		}
		catch (IOException ex) {
			close();
		}
	}

	@Override
	public void close() {
		if (this.socket != this.plain) {
			try {
				this.socket.close(); // TLS: its close_notify, then the plain socket
			}
			catch (IOException ex) {
				// closed already, or the peer has gone
			}
		}
		super.close();
	}

	@Override
	@SuppressWarnings("unchecked")
	public void send(Message<?> message) {
		@Nullable AtomicBoolean timedOut = null;
		ScheduledFuture<?> watchdog = null;
		this.sendLock.lock();
		try {
			Object payload = getMapper().fromMessage(message);
			if (payload == null) {
				throw new IllegalStateException("The mapper returned null for message: " + message);
			}
			if (!(payload instanceof byte[] bytes) || bytes.length > NEVER_BLOCKS) {
				AtomicBoolean cut = new AtomicBoolean();
				timedOut = cut;
				watchdog = this.listener.timers()
					.scheduler()
					.schedule(() -> cutOff(cut), this.listener.settings().writeTimeout().toNanos(),
							TimeUnit.NANOSECONDS);
			}
			OutputStream output = this.socket.getOutputStream();
			((Serializer<Object>) getSerializer()).serialize(payload, output);
			output.flush();
		}
		catch (IOException | RuntimeException ex) {
			Exception cause = ex;
			if (timedOut != null && timedOut.get()) {
				cause = new SocketTimeoutException(
						"greeting not written within " + this.listener.settings().property("write-timeout"));
			}
			else if (this.lingerExpired) {
				cause = new SocketTimeoutException(
						"TLS handshake not done within " + this.listener.settings().property("linger"));
			}
			// As TcpNetConnection does: tell the listeners, close, and let the sender
			// know.
			MessagingException failure = new MessagingException(message, "Send Failed", cause);
			publishConnectionExceptionEvent(failure);
			closeConnection(true);
			throw failure;
		}
		finally {
			if (watchdog != null) {
				watchdog.cancel(false);
			}
			this.sendLock.unlock();
		}
	}

	// Shutting the output down wakes the blocked write with an error while the
	// connection is still open, so the failure is reported like any other before the
	// connection closes.
	private void cutOff(AtomicBoolean timedOut) {
		timedOut.set(true);
		try {
			this.plain.shutdownOutput();
		}
		catch (IOException ex) {
			close();
		}
	}

}
