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

import org.springframework.context.ApplicationListener;
import org.springframework.integration.ip.tcp.connection.AbstractServerConnectionFactory;
import org.springframework.integration.ip.tcp.connection.TcpConnection;
import org.springframework.integration.ip.tcp.connection.TcpConnectionCloseEvent;
import org.springframework.integration.ip.tcp.connection.TcpConnectionEvent;
import org.springframework.integration.ip.tcp.connection.TcpConnectionExceptionEvent;
import org.springframework.integration.ip.tcp.connection.TcpConnectionOpenEvent;
import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;

import dev.greeter.proxy.InvalidProxyHeaderException.Reason;
import dev.greeter.server.GreetingListener;

/**
 * Turns the server's connection events and greeting outcomes into the {@code greeter.*}
 * meters. Every meter is registered up front, so a fresh instance exposes zeros rather
 * than missing series, and no tag ever carries a client address or a connection id.
 *
 * @author tcp-greeter team
 */
final class ConnectionMetrics implements ApplicationListener<TcpConnectionEvent>, GreetingListener {

	private final String factoryName;

	private final Counter opened;

	private final Counter closed;

	private final AtomicLong active = new AtomicLong();

	private final Counter greetingsSent;

	private final Counter greetingBytesSent;

	private final Counter greetingsAborted;

	private final Counter rejected;

	private final Map<ErrorKind, Counter> errors = new EnumMap<>(ErrorKind.class);

	private final Timer duration;

	// Start times by connection: open and close events usually arrive on the same thread,
	// but not when the server stops and closes every connection itself.
	private final Map<TcpConnection, Long> started = new ConcurrentHashMap<>();

	private final Map<Integer, Counter> proxyHeaders = new HashMap<>();

	private final Map<Reason, Counter> proxyRejections = new EnumMap<>(Reason.class);

	ConnectionMetrics(MeterRegistry registry, AbstractServerConnectionFactory factory) {
		this.factoryName = factory.getComponentName();
		this.opened = Counter.builder("greeter.connections.opened")
			.description("TCP connections accepted by the greeting server")
			.register(registry);
		this.closed = Counter.builder("greeter.connections.closed")
			.description("TCP connections closed, whoever closed them")
			.register(registry);
		Gauge.builder("greeter.connections.active", this.active, AtomicLong::get)
			.description("TCP connections open now")
			.register(registry);
		this.greetingsSent = Counter.builder("greeter.greetings.sent")
			.description("Greetings written whole and followed by the server's half-close")
			.register(registry);
		this.greetingBytesSent = Counter.builder("greeter.greeting.sent")
			.baseUnit("bytes")
			.description("Bytes of greetings written whole")
			.register(registry);
		this.greetingsAborted = Counter.builder("greeter.greetings.aborted")
			.description("Greetings that could not be written whole, mostly because the client reset first")
			.register(registry);
		this.rejected = Counter.builder("greeter.connections.rejected")
			.description("Connections closed at once, without a greeting, because greeter.server.max-connections "
					+ "were open")
			.register(registry);
		for (ErrorKind kind : ErrorKind.values()) {
			this.errors.put(kind,
					Counter.builder("greeter.connection.errors")
						.tag("kind", kind.tag())
						.description("Connections that ended abnormally; a normal close is not counted")
						.register(registry));
		}
		this.duration = Timer.builder("greeter.connection.duration")
			.description("Time from accepting a connection to closing it")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofNanos(100_000))
			.maximumExpectedValue(Duration.ofSeconds(30))
			.register(registry);
		Gauge.builder("greeter.server.listening", factory, (server) -> server.isListening() ? 1 : 0)
			.description("1 while the greeting server listens for connections, 0 otherwise")
			.register(registry);
		for (int version = 1; version <= 2; version++) {
			this.proxyHeaders.put(version,
					Counter.builder("greeter.proxy.headers")
						.tag("version", Integer.toString(version))
						.description("Connections that started with a valid PROXY protocol header")
						.register(registry));
		}
		for (Reason reason : Reason.values()) {
			this.proxyRejections.put(reason,
					Counter.builder("greeter.proxy.rejected")
						.tag("reason", reason.tag())
						.description("Connections closed without a greeting for want of a valid PROXY protocol header")
						.register(registry));
		}
	}

	@Override
	public void onApplicationEvent(TcpConnectionEvent event) {
		if (!this.factoryName.equals(event.getConnectionFactoryName())) {
			return;
		}
		TcpConnection connection = (TcpConnection) event.getSource();
		if (event instanceof TcpConnectionOpenEvent) {
			this.started.put(connection, System.nanoTime());
			this.opened.increment();
			this.active.incrementAndGet();
		}
		else if (event instanceof TcpConnectionCloseEvent) {
			Long start = this.started.remove(connection);
			if (start == null) {
				return; // rejected before it ever opened: counted as rejected, not as
						// opened and closed
			}
			this.duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
			this.closed.increment();
			this.active.decrementAndGet();
		}
		else if (event instanceof TcpConnectionExceptionEvent exception) {
			recordError(connection, exception.getCause());
		}
	}

	private void recordError(TcpConnection connection, Throwable cause) {
		ErrorKind kind = ErrorKind.of(cause);
		// Spring Integration publishes an exception event for every end of stream, a
		// normal close included.
		if (cause instanceof SoftEndOfStreamException && kind != ErrorKind.RESET) {
			return;
		}
		// A connection the server has already closed (after a failed write, or when
		// stopping) makes its reader fail once more: that failure was counted when it
		// happened.
		if (!connection.isOpen()) {
			return;
		}
		this.errors.get(kind).increment();
	}

	@Override
	public void greetingSent(int bytes) {
		this.greetingsSent.increment();
		this.greetingBytesSent.increment(bytes);
	}

	@Override
	public void greetingAborted(Throwable cause) {
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

}
