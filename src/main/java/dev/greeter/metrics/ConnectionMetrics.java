package dev.greeter.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.micrometer.core.instrument.Tags;

import org.springframework.integration.ip.tcp.connection.TcpConnection;
import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;

import dev.greeter.proxy.InvalidProxyHeaderException.Reason;
import dev.greeter.server.AcceptFailure;
import dev.greeter.server.ListenerObserver;
import dev.greeter.server.ServerListener;

/**
 * Turns what happens on one TCP listener into the {@code greeter.*} meters, each tagged
 * with the listener's name. Every meter is registered up front, so a fresh instance
 * exposes zeros rather than missing series, and no tag ever carries a client address or a
 * connection id.
 * <p>
 * An error is a connection whose greeting did not go out whole (a reset or broken pipe
 * before it was written, the write timeout) or that failed inside the server. How a
 * connection ended once its greeting was out is counted by {@link ClosedBy}, never as an
 * error: that is what keeps health checks and people at a terminal from firing the error
 * alert.
 *
 * @author tcp-greeter team
 */
final class ConnectionMetrics implements ListenerObserver {

	private final Counter opened;

	private final Map<ClosedBy, Counter> closed = new EnumMap<>(ClosedBy.class);

	private final AtomicLong active = new AtomicLong();

	private final Counter greetingsSent;

	private final Counter greetingBytesSent;

	private final Counter greetingsAborted;

	private final Counter rejected;

	private final Map<ErrorKind, Counter> errors = new EnumMap<>(ErrorKind.class);

	private final Map<AcceptFailure, Counter> acceptErrors = new EnumMap<>(AcceptFailure.class);

	private final Timer duration;

	// Each open connection's start and what is known of its end so far. Its events
	// arrive on its own thread, except when the server stops and closes every connection
	// itself.
	private final Map<TcpConnection, Tracked> open = new ConcurrentHashMap<>();

	private final Map<Integer, Counter> proxyHeaders = new HashMap<>();

	private final Map<Reason, Counter> proxyRejections = new EnumMap<>(Reason.class);

	ConnectionMetrics(MeterRegistry registry, ServerListener listener) {
		Tags tags = Tags.of(ListenerMeters.LISTENER, listener.name());
		this.opened = Counter.builder("greeter.connections.opened")
			.tags(tags)
			.description("TCP connections accepted by the greeting server (past their PROXY header, when one is "
					+ "expected)")
			.register(registry);
		for (ClosedBy by : ClosedBy.values()) {
			this.closed.put(by,
					Counter.builder("greeter.connections.closed")
						.tags(tags)
						.tag("by", by.tag())
						.description("TCP connections closed, by who ended them; sum over by for all closes")
						.register(registry));
		}
		Gauge
			.builder("greeter.connections.active", this,
					(metrics) -> metrics.active.get() + listener.startingConnections())
			.tags(tags)
			.description("TCP connections open now, those still waiting for their PROXY header included")
			.register(registry);
		this.greetingsSent = Counter.builder("greeter.greetings.sent")
			.tags(tags)
			.description("Greetings written whole and followed by the server's half-close")
			.register(registry);
		this.greetingBytesSent = Counter.builder("greeter.greeting.sent")
			.tags(tags)
			.baseUnit("bytes")
			.description("Bytes of greetings written whole")
			.register(registry);
		this.greetingsAborted = Counter.builder("greeter.greetings.aborted")
			.tags(tags)
			.description("Greetings that could not be written whole, mostly because the client reset first")
			.register(registry);
		this.rejected = Counter.builder("greeter.connections.rejected")
			.tags(tags)
			.description("Connections closed at once, without a greeting, because the listener's max-connections "
					+ "were open")
			.register(registry);
		for (ErrorKind kind : ErrorKind.values()) {
			this.errors.put(kind,
					Counter.builder("greeter.connection.errors")
						.tags(tags)
						.tag("kind", kind.tag())
						.description("Connections whose greeting did not go out whole, or that failed in the server; "
								+ "what a client does after its greeting is not counted here")
						.register(registry));
		}
		for (AcceptFailure kind : AcceptFailure.values()) {
			this.acceptErrors.put(kind,
					Counter.builder("greeter.accept.errors")
						.tags(tags)
						.tag("kind", kind.tag())
						.description("Failed accepts on the listening socket (emfile: out of file descriptors); the "
								+ "server backs off and accepts again")
						.register(registry));
		}
		this.duration = Timer.builder("greeter.connection.duration")
			.tags(tags)
			.description("Time from accepting a connection to closing it")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofNanos(100_000))
			.maximumExpectedValue(Duration.ofSeconds(30))
			.register(registry);
		Gauge.builder("greeter.server.listening", listener, (server) -> server.isListening() ? 1 : 0)
			.tags(tags)
			.description("1 while the greeting server listens for connections, 0 otherwise")
			.register(registry);
		Gauge.builder("greeter.server.stalled", listener, (server) -> (server.stalled() != null) ? 1 : 0)
			.tags(tags)
			.description("1 while the listener's connections have waited over 2 s on something stuck: the log's "
					+ "console (a standard output that nobody reads), or the drain selector")
			.register(registry);
		for (int version = 1; version <= 2; version++) {
			this.proxyHeaders.put(version,
					Counter.builder("greeter.proxy.headers")
						.tags(tags)
						.tag("version", Integer.toString(version))
						.description("Connections that started with a valid PROXY protocol header")
						.register(registry));
		}
		for (Reason reason : Reason.values()) {
			this.proxyRejections.put(reason,
					Counter.builder("greeter.proxy.rejected")
						.tags(tags)
						.tag("reason", reason.tag())
						.description("Connections closed without a greeting for want of a valid PROXY protocol header")
						.register(registry));
		}
	}

	@Override
	public void opened(TcpConnection connection) {
		this.open.put(connection, new Tracked(System.nanoTime()));
		this.opened.increment();
		this.active.incrementAndGet();
	}

	@Override
	public void closed(TcpConnection connection) {
		Tracked tracked = this.open.remove(connection);
		if (tracked == null) {
			return; // closed twice
		}
		this.duration.record(System.nanoTime() - tracked.start, TimeUnit.NANOSECONDS);
		this.closed.get(tracked.closedBy).increment();
		this.active.decrementAndGet();
	}

	@Override
	public void failed(TcpConnection connection, Throwable cause) {
		ended(connection, cause);
	}

	private void ended(TcpConnection connection, Throwable cause) {
		Tracked tracked = this.open.get(connection);
		// A connection the server has already closed (after a failed write, or when
		// stopping) makes its reader fail once more: its end was recorded when it
		// happened.
		if (tracked == null || !connection.isOpen()) {
			return;
		}
		ErrorKind kind = ErrorKind.of(cause);
		if (cause instanceof SoftEndOfStreamException && kind != ErrorKind.RESET) {
			tracked.closedBy = ClosedBy.CLIENT;
			return;
		}
		tracked.closedBy = switch (kind) {
			case RESET, BROKEN_PIPE, IO -> ClosedBy.CLIENT_RESET;
			// After the greeting, the linger; before it, the write timeout.
			case TIMEOUT -> tracked.greeted ? ClosedBy.LINGER : ClosedBy.SERVER;
			case OTHER -> ClosedBy.SERVER;
		};
		if (!tracked.greeted || kind == ErrorKind.OTHER) {
			this.errors.get(kind).increment();
		}
	}

	@Override
	public void greetingSent(TcpConnection connection, int bytes) {
		Tracked tracked = this.open.get(connection);
		if (tracked != null) {
			tracked.greeted = true;
		}
		this.greetingsSent.increment();
		this.greetingBytesSent.increment(bytes);
	}

	@Override
	public void greetingAborted(TcpConnection connection, Throwable cause) {
		this.greetingsAborted.increment();
	}

	@Override
	public void connectionRejected() {
		this.rejected.increment();
	}

	@Override
	public void proxyHeaderAccepted(int version) {
		this.proxyHeaders.get(version).increment();
	}

	@Override
	public void proxyHeaderRejected(Reason reason) {
		this.proxyRejections.get(reason).increment();
	}

	@Override
	public void acceptFailed(AcceptFailure kind) {
		this.acceptErrors.get(kind).increment();
	}

	/**
	 * One open connection.
	 */
	private static final class Tracked {

		final long start;

		volatile boolean greeted;

		volatile ClosedBy closedBy = ClosedBy.SERVER;

		Tracked(long start) {
			this.start = start;
		}

	}

}
