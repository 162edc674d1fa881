package dev.greeter.server.tcp;

import dev.greeter.server.ListenerObserver;
import dev.greeter.server.ListenerObservers;
import dev.greeter.server.ListenerSettings;
import dev.greeter.server.ServerListener;
import dev.greeter.server.ServerTimers;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.context.IntegrationFlowContext;
import org.springframework.integration.ip.dsl.Tcp;
import org.springframework.integration.ip.tcp.connection.DefaultTcpSocketSupport;
import org.springframework.integration.ip.tcp.serializer.ByteArrayRawSerializer;

import dev.greeter.greeting.GreetingSource;
import dev.greeter.proxy.ProxyHeaderReader;
import dev.greeter.proxy.ProxyProtocol;

/**
 * One TCP listener: its own {@link GreetingServerConnectionFactory}, the inbound adapter
 * that owns it (a server factory only listens for an inbound endpoint) and drains what
 * clients send, and the outbound adapter that writes the greeting when a connection
 * opens; registered as beans named after the listener ({@code <name>.connectionFactory},
 * {@code <name>.connectionReader}, {@code <name>.greetingSender}), so that the
 * integration graph and the logs say which listener is which. It also holds what its
 * connections share: the greeter, the connection limit, the linger sweep and the
 * observer.
 *
 * @author tcp-greeter team
 */
public final class TcpGreeter implements ServerListener {

	private final ListenerSettings settings;

	private final ApplicationEventPublisher events;

	private final ServerTimers timers;

	private final ListenerObserver observer;

	private final DirectChannel greetings = new DirectChannel();

	private final ConnectionGreeter greeter;

	private final ConnectionRecord record;

	private final ConnectionStart start;

	private final ConnectionLimit limit;

	private final LingerSweep lingerSweep;

	private final GreetingServerConnectionFactory factory;

	public TcpGreeter(ListenerSettings settings, int maxConnections, GreetingSource greeting,
			ListenerObservers observers, Context context) {
		this.settings = settings;
		this.events = context.events();
		this.timers = context.timers();
		// Made before anything can happen on the listener; it keeps this listener only
		// to read its port and state later.
		this.observer = observers.observe(this);
		this.greeter = new ConnectionGreeter(settings.name(), this.greetings, greeting, settings.logConnections(),
				context.structuredLogs(), this.observer);
		this.record = new ConnectionRecord(settings.name(), settings.logConnections() && context.structuredLogs());
		if (settings.logConnections()) {
			// So that a console that blocks these lines is seen: see stalled().
			ConsoleBatch.install();
		}
		TlsLayer tls = (settings.sslBundle() != null)
				? new TlsLayer(settings.sslBundle(), context.sslBundles(), settings.clientAuth()) : null;
		ProxyHeaderReader proxyHeaders = (settings.proxyProtocol() != ProxyProtocol.OFF)
				? new ProxyHeaderReader(settings.proxyProtocol(), settings.proxyProtocolTimeout()) : null;
		this.start = new ConnectionStart(settings, proxyHeaders, tls, this.observer, this.timers);
		this.limit = new ConnectionLimit(settings, maxConnections, this.observer, this.timers);
		this.lingerSweep = new LingerSweep(settings.linger(), this.timers.scheduler());
		this.factory = new GreetingServerConnectionFactory(this, this.timers, context.threads());
		if (settings.address() != null) {
			this.factory.setLocalAddress(settings.address().getHostAddress());
		}
		this.factory.setBacklog(settings.backlog());
		this.factory.setLookupHost(false);
		// The greeting bytes go out exactly as encoded: the line ending is part of the
		// greeting.
		this.factory.setSerializer(new ByteArrayRawSerializer());
		this.factory.setDeserializer(new DrainingDeserializer());
		if (tls != null) {
			// The framework's socket support would ask every TLS socket to check its
			// peer's host name, which a server cannot do for its clients: client
			// certificates are checked against the bundle's trust store instead.
			this.factory.setTcpSocketSupport(new DefaultTcpSocketSupport(false));
		}
	}

	/**
	 * Register the listener's factory and flows, and start them: the factory starts to
	 * listen on a thread of its own ({@link GreetingServerConnectionFactory#bound()}).
	 * @param beanFactory where the factory goes, under its name
	 * @param flows where the flows go
	 */
	public void register(ConfigurableListableBeanFactory beanFactory, IntegrationFlowContext flows) {
		String name = this.settings.name();
		String factoryName = name + ".connectionFactory";
		beanFactory.registerSingleton(factoryName, beanFactory.initializeBean(this.factory, factoryName));
		String channelName = name + ".greetings";
		beanFactory.registerSingleton(channelName, beanFactory.initializeBean(this.greetings, channelName));
		flows
			.registration(
					IntegrationFlow.from(Tcp.inboundAdapter(this.factory).id(name + ".connectionReader")).nullChannel())
			.id(name + ".readerFlow")
			.register();
		flows
			.registration(IntegrationFlow.from(this.greetings)
				.handle(Tcp.outboundAdapter(this.factory), (endpoint) -> endpoint.id(name + ".greetingSender"))
				.get())
			.id(name + ".greetingFlow")
			.register();
	}

	public ListenerSettings settings() {
		return this.settings;
	}

	GreetingServerConnectionFactory factory() {
		return this.factory;
	}

	String factoryName() {
		return this.factory.getComponentName();
	}

	ApplicationEventPublisher events() {
		return this.events;
	}

	ServerTimers timers() {
		return this.timers;
	}

	ListenerObserver observer() {
		return this.observer;
	}

	ConnectionGreeter greeter() {
		return this.greeter;
	}

	ConnectionRecord record() {
		return this.record;
	}

	ConnectionStart start() {
		return this.start;
	}

	ConnectionLimit limit() {
		return this.limit;
	}

	LingerSweep lingerSweep() {
		return this.lingerSweep;
	}

	/**
	 * The port really bound, once the listening socket is open.
	 * @return the port, or the failure to listen
	 */
	public CompletableFuture<Integer> bound() {
		return this.factory.bound();
	}

	/**
	 * Stop accepting: greet what waits in the backlog, then close the listening socket;
	 * the open connections go on. Returns once the accept loop has ended.
	 */
	public void stopAccepting() {
		this.factory.stopAccepting();
	}

	/**
	 * The connections open now, from accepted to closed.
	 * @return their count
	 */
	public int openConnections() {
		return this.limit.inUse();
	}

	/**
	 * The listener's name for messages about the default listener's port, which name
	 * none.
	 * @return empty for the default listener, else for example
	 * {@code " (listener 'tls')"}
	 */
	String describeName() {
		return this.settings.configured() ? " (listener '" + this.settings.name() + "')" : "";
	}

	@Override
	public String name() {
		return this.settings.name();
	}

	@Override
	public String served() {
		return this.settings.describeAddress();
	}

	@Override
	public String protocol() {
		return "tcp";
	}

	@Override
	public int port() {
		return this.factory.getPort();
	}

	@Override
	public int startingConnections() {
		return this.start.starting();
	}

	@Override
	public boolean isListening() {
		return this.factory.isListening();
	}

	@Override
	public @Nullable String stalled() {
		String drain = this.factory.stalled();
		if (drain != null) {
			return drain;
		}
		// Every connection writes a line when connections are logged: before its greeting
		// on a thread of its own (PROXY, TLS, a greeting rendered per connection), so
		// that none is greeted while the console blocks; after it on the drain selector,
		// which then stops taking connections (above).
		long blocked = this.settings.logConnections() ? ConsoleBatch.blockedNanos() : 0;
		if (blocked < DrainSelector.STALL.toNanos()) {
			return null;
		}
		return "the log's standard output has taken no line for " + TimeUnit.NANOSECONDS.toSeconds(blocked)
				+ " s, and every connection writes one; is it blocked?";
	}

	/**
	 * What every listener shares.
	 *
	 * @param events the application's event publisher
	 * @param timers the server's timer thread
	 * @param threads the connection threads
	 * @param bundles the SSL bundles, for a listener with TLS
	 * @param structuredLogs whether logs are structured (JSON)
	 */
	public record Context(ApplicationEventPublisher events, ServerTimers timers, ConnectionThreads threads,
			@Nullable SslBundles bundles, boolean structuredLogs) {

		SslBundles sslBundles() {
			if (this.bundles == null) {
				throw new IllegalStateException("No SSL bundles are configured");
			}
			return this.bundles;
		}

	}

}
