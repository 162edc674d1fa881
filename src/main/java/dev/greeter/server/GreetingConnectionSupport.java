package dev.greeter.server;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLSocket;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.serializer.Serializer;
import org.springframework.integration.ip.tcp.connection.TcpNetConnection;
import org.springframework.integration.ip.tcp.connection.TcpNetConnectionSupport;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;

import dev.greeter.greeting.ServedGreeting;

/**
 * Creates the server's connections: Spring Integration's {@link TcpNetConnection}, except
 * that a send writes straight to the socket, a write that takes longer than
 * {@code greeter.server.write-timeout} is cut off, and the drain after the greeting ends
 * by the {@link LingerSweep} rather than by a read timeout.
 * <p>
 * Why unbuffered: the framework wraps each connection's output in a
 * {@code BufferedOutputStream} as large as the socket's send buffer, which the kernel's
 * autotuning makes megabytes large on a fast link. For a greeting of a few dozen bytes,
 * written once, that was 94% of all memory the server allocated under load (a JFR
 * allocation profile, docs/BENCHMARKS.md). The greeting is one array, so one unbuffered
 * write is what the buffer would have done anyway.
 * <p>
 * Why a write timeout: a blocking socket write has none, so a client that never reads a
 * greeting larger than the socket buffers would hold its thread and descriptor for ever.
 * A greeting of at most {@value #NEVER_BLOCKS} bytes always fits the smallest send buffer
 * of a new connection, so only larger ones arm a watchdog: the default greeting costs
 * nothing extra.
 *
 * @author tcp-greeter team
 */
final class GreetingConnectionSupport implements TcpNetConnectionSupport {

	static final int NEVER_BLOCKS = 4096;

	private final long writeTimeoutNanos;

	private final ScheduledExecutorService timers;

	private final LingerSweep lingerSweep;

	GreetingConnectionSupport(Duration writeTimeout, Duration linger, ServerTimers timers) {
		this.writeTimeoutNanos = writeTimeout.toNanos();
		this.timers = timers.scheduler();
		this.lingerSweep = new LingerSweep(linger, this.timers);
	}

	@Override
	public TcpNetConnection createNewConnection(Socket socket, boolean server, boolean lookupHost,
			@Nullable ApplicationEventPublisher applicationEventPublisher, @Nullable String connectionFactoryName) {
		return new GreetingConnection(socket, server, lookupHost, applicationEventPublisher, connectionFactoryName);
	}

	/**
	 * A connection whose sends are unbuffered and bounded in time, with the framework's
	 * handling of a failed send.
	 */
	final class GreetingConnection extends TcpNetConnection implements LingerSweep.Lingering {

		private final Socket socket;

		private final Lock sendLock = new ReentrantLock();

		private volatile boolean lingerExpired;

		// What the connection's log record says of it when it closes (ConnectionRecord).
		private final long openedNanos = System.nanoTime();

		private volatile String outcome = "open";

		private volatile int greetingBytes;

		private volatile @Nullable ServedGreeting greeting;

		private volatile @Nullable InetSocketAddress realClient;

		GreetingConnection(Socket socket, boolean server, boolean lookupHost,
				@Nullable ApplicationEventPublisher applicationEventPublisher, @Nullable String connectionFactoryName) {
			super(socket, server, lookupHost, applicationEventPublisher, connectionFactoryName);
			this.socket = socket;
		}

		void greeted(int bytes, ServedGreeting greeting) {
			this.greetingBytes = bytes;
			this.greeting = greeting;
			this.outcome = "greeted";
		}

		void outcome(String outcome) {
			this.outcome = outcome;
		}

		void realClient(@Nullable InetSocketAddress client) {
			this.realClient = client;
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

		@Nullable ServedGreeting greeting() {
			return this.greeting;
		}

		@Nullable InetSocketAddress realClient() {
			return this.realClient;
		}

		/**
		 * The connection's socket, for reading a PROXY header before the framework reads.
		 * @return the socket
		 */
		Socket socket() {
			return this.socket;
		}

		/**
		 * The framework's read, which our deserializer turns into a drain until the
		 * client closes, bounded by the linger. A TLS socket keeps its read timeout
		 * instead: it also bounds a handshake that never completes, and an
		 * {@link SSLSocket} has no plain half-close for the sweep to end its read with.
		 */
		@Override
		public Object getPayload() {
			if (this.socket instanceof SSLSocket) {
				return super.getPayload();
			}
			LingerSweep sweep = GreetingConnectionSupport.this.lingerSweep;
			sweep.started(this);
			try {
				return super.getPayload();
			}
			catch (RuntimeException ex) {
				if (this.lingerExpired) {
					throw new UncheckedIOException(
							new SocketTimeoutException("client still connected after greeter.server.linger"));
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
				// The read sees the end of its input while the connection is still open,
				// so the framework reports it, then closes.
				this.socket.shutdownInput();
			}
			catch (IOException ex) {
				close();
			}
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
					watchdog = GreetingConnectionSupport.this.timers.schedule(() -> cutOff(cut),
							GreetingConnectionSupport.this.writeTimeoutNanos, TimeUnit.NANOSECONDS);
				}
				OutputStream output = this.socket.getOutputStream();
				((Serializer<Object>) getSerializer()).serialize(payload, output);
				output.flush();
			}
			catch (IOException | RuntimeException ex) {
				Exception cause = (timedOut != null && timedOut.get())
						? new SocketTimeoutException("greeting not written within greeter.server.write-timeout") : ex;
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
				this.socket.shutdownOutput();
			}
			catch (IOException ex) {
				close();
			}
		}

	}

}
