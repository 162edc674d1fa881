package dev.greeter.server;

import java.util.Locale;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.task.SimpleAsyncTaskExecutorBuilder;
import org.springframework.boot.thread.Threading;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.ip.dsl.Tcp;
import org.springframework.integration.ip.tcp.connection.DefaultTcpSocketSupport;
import org.springframework.integration.ip.tcp.connection.TcpNetServerConnectionFactory;
import org.springframework.integration.ip.tcp.serializer.ByteArrayRawSerializer;
import org.springframework.util.function.SingletonSupplier;

import dev.greeter.greeting.GreetingSource;
import dev.greeter.proxy.ProxyHeaderReader;
import dev.greeter.proxy.ProxyProtocol;

/**
 * Wires the greeting server: a {@link TcpNetServerConnectionFactory}, an inbound adapter
 * that owns it (a server factory only listens for an inbound endpoint) and drains what
 * clients send, and the outbound adapter that writes the greeting when a connection
 * opens.
 *
 * @author tcp-greeter team
 */
@Configuration(proxyBeanMethods = false)
@Profile("!client")
class GreetingServerConfiguration {

	@Bean
	ConnectionThreads connectionThreads(Environment environment, SimpleAsyncTaskExecutorBuilder executorBuilder) {
		return ConnectionThreads.create(Threading.VIRTUAL.isActive(environment), executorBuilder);
	}

	@Bean
	ServerTimers serverTimers(ServerProperties properties) {
		return new ServerTimers(properties.reportInterval());
	}

	@Bean
	GreetingConnectionSupport greetingConnectionSupport(ServerProperties properties, ServerTimers serverTimers) {
		return new GreetingConnectionSupport(properties.writeTimeout(), properties.linger(), serverTimers);
	}

	@Bean
	GreetingServerConnectionFactory serverConnectionFactory(ServerProperties properties, Environment environment,
			ConnectionThreads connectionThreads, GreetingConnectionSupport greetingConnectionSupport,
			ObjectProvider<GreetingListener> listener, ObjectProvider<SslBundles> sslBundles,
			ServerTimers serverTimers) {
		checkProxyProtocolWithoutTls(properties);
		ServerStartupCheck.checkPortAvailable(properties);
		int maxConnections = ConnectionCapacity.fit(properties.maxConnections(),
				environment.containsProperty(ConnectionCapacity.PROPERTY), !connectionThreads.virtual(),
				ConnectionCapacity.Limits.ofThisProcess());
		// The listener (the metrics) depends on this factory: looked up once, when first
		// needed.
		Supplier<GreetingListener> greetingListener = SingletonSupplier
			.of(() -> listener.getIfUnique(() -> GreetingListener.NONE));
		GreetingServerConnectionFactory factory = new GreetingServerConnectionFactory(properties.port(),
				greetingConnectionSupport, greetingListener, serverTimers);
		if (properties.address() != null) {
			factory.setLocalAddress(properties.address().getHostAddress());
		}
		factory.setBacklog(properties.backlog());
		// A reverse DNS lookup per client would cost a round trip and tie greetings to
		// the resolver's health.
		factory.setLookupHost(false);
		// The greeting bytes go out exactly as encoded: the line ending is part of the
		// greeting.
		factory.setSerializer(new ByteArrayRawSerializer());
		factory.setDeserializer(new DrainingDeserializer(properties.linger()));
		String bundleName = properties.ssl().bundle();
		if (bundleName != null) {
			factory.setTls(new TlsLayer(bundleName, sslBundles.getObject(), properties.ssl().clientAuth()));
			// The framework's socket support would ask every TLS socket to check its
			// peer's host name, which a server cannot do for its clients: client
			// certificates are checked against the bundle's trust store instead.
			factory.setTcpSocketSupport(new DefaultTcpSocketSupport(false));
			// A read timeout bounds the handshake, which has no other; plain sockets have
			// none, their drain is bounded by the LingerSweep.
			factory.setSoTimeout(Math.toIntExact(properties.linger().toMillis()));
		}
		factory.setTaskExecutor(
				new ConnectionLimit(connectionThreads.executor(), maxConnections, greetingListener, serverTimers));
		return factory;
	}

	@Bean
	IntegrationFlow connectionReaderFlow(TcpNetServerConnectionFactory serverConnectionFactory) {
		return IntegrationFlow.from(Tcp.inboundAdapter(serverConnectionFactory).id("connectionReader")).nullChannel();
	}

	@Bean
	DirectChannel greetings() {
		return new DirectChannel();
	}

	@Bean
	IntegrationFlow greetingFlow(DirectChannel greetings, TcpNetServerConnectionFactory serverConnectionFactory) {
		return IntegrationFlow.from(greetings)
			.handle(Tcp.outboundAdapter(serverConnectionFactory), (endpoint) -> endpoint.id("greetingSender"))
			.get();
	}

	@Bean
	ConnectionGreeter connectionGreeter(TcpNetServerConnectionFactory serverConnectionFactory, DirectChannel greetings,
			GreetingSource greeting, ServerProperties properties, ObjectProvider<GreetingListener> listener,
			ServerTimers serverTimers, Environment environment) {
		return new ConnectionGreeter(serverConnectionFactory.getComponentName(), greetings, greeting,
				properties.logConnections(), structuredLogs(environment),
				listener.getIfUnique(() -> GreetingListener.NONE), proxyHeaderReader(properties), serverTimers);
	}

	private static @Nullable ProxyHeaderReader proxyHeaderReader(ServerProperties properties) {
		return (properties.proxyProtocol() != ProxyProtocol.OFF)
				? new ProxyHeaderReader(properties.proxyProtocol(), properties.proxyProtocolTimeout()) : null;
	}

	private static void checkProxyProtocolWithoutTls(ServerProperties properties) {
		if (properties.proxyProtocol() != ProxyProtocol.OFF && properties.ssl().bundle() != null) {
			// The header comes before the TLS handshake, but the factory's sockets start
			// TLS as soon as they are accepted.
			throw new InvalidConfigurationPropertyValueException("greeter.server.proxy-protocol",
					properties.proxyProtocol().name().toLowerCase(Locale.ROOT),
					"not supported together with greeter.server.ssl.bundle; terminate TLS at the proxy, or turn one "
							+ "of them off");
		}
	}

	@Bean
	GracefulDrain gracefulDrain(GreetingServerConnectionFactory serverConnectionFactory,
			ApplicationEventPublisher events, ServerProperties properties, Environment environment) {
		ShutdownBudget.check(properties, environment);
		// Before the server listens: from here on a SIGTERM is a normal stop, drained,
		// exit status 0.
		CleanStopOnSigterm.serverStarting();
		return new GracefulDrain(serverConnectionFactory, events, properties.shutdownDelay());
	}

	@Bean
	ConnectionRecord connectionRecord(TcpNetServerConnectionFactory serverConnectionFactory,
			ServerProperties properties, Environment environment) {
		return new ConnectionRecord(serverConnectionFactory.getComponentName(),
				properties.logConnections() && structuredLogs(environment));
	}

	// Decided at run time, not by a condition: in the image's AOT mode the bean set is
	// fixed at build time, and JSON logs are turned on by an environment variable.
	private static boolean structuredLogs(Environment environment) {
		return environment.containsProperty("logging.structured.format.console")
				|| environment.containsProperty("logging.structured.format.file");
	}

	@Bean
	MaintenanceFile maintenanceFile(ServerProperties properties, ServerTimers serverTimers) {
		return new MaintenanceFile(properties.maintenanceFile(), serverTimers);
	}

	@Bean
	ServerStartupCheck serverStartupCheck(TcpNetServerConnectionFactory serverConnectionFactory,
			ServerProperties properties, ConfigurableEnvironment environment) {
		return new ServerStartupCheck(serverConnectionFactory, properties, environment);
	}

}
