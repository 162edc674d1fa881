package dev.greeter.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.integration.ip.tcp.connection.AbstractServerConnectionFactory;
import org.springframework.integration.ip.tcp.connection.TcpConnectionServerExceptionEvent;
import org.springframework.integration.ip.tcp.connection.TcpConnectionServerListeningEvent;

/**
 * Makes start-up fail when the greeting server cannot listen. Spring Integration binds
 * the server socket on a background thread and, when that fails, logs the error and stops
 * the factory while the rest of the application runs on: a process that looks alive and
 * serves nothing. This check starts right after the inbound adapter and waits for the
 * listening event or the server's exception event.
 *
 * @author tcp-greeter team
 */
final class ServerStartupCheck implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(ServerStartupCheck.class);

	private static final String PORTS = "greeter.ports";

	private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(30);

	private final AbstractServerConnectionFactory factory;

	private final ServerProperties properties;

	/**
	 * The property that holds the port really bound (port 0 picks one), as Spring Boot
	 * publishes {@code local.server.port}: tests and tools read it instead of log lines.
	 */
	static final String LOCAL_PORT_PROPERTY = "local.greeter.listener.default.port";

	private final CompletableFuture<Integer> listening = new CompletableFuture<>();

	private final ConfigurableEnvironment environment;

	private volatile boolean running;

	ServerStartupCheck(AbstractServerConnectionFactory factory, ServerProperties properties,
			ConfigurableEnvironment environment) {
		this.factory = factory;
		this.properties = properties;
		this.environment = environment;
	}

	/**
	 * Fail fast, before anything starts, when the port is taken: the framework would log
	 * the same failure with a stack trace from its accept thread.
	 * @param properties the server settings
	 */
	static void checkPortAvailable(ServerProperties properties) {
		if (properties.port() == 0) {
			return;
		}
		try (ServerSocket probe = new ServerSocket()) {
			probe.setReuseAddress(true);
			probe.bind(new InetSocketAddress(properties.address(), properties.port()), 1);
		}
		catch (IOException ex) {
			throw new ServerStartException(properties.port(), properties.describeAddress(), ex);
		}
	}

	@EventListener
	void onListening(TcpConnectionServerListeningEvent event) {
		if (event.getSource() == this.factory) {
			this.listening.complete(event.getPort());
		}
	}

	@EventListener
	void onServerException(TcpConnectionServerExceptionEvent event) {
		if (event.getSource() == this.factory) {
			this.listening.completeExceptionally(event.getCause());
		}
	}

	@Override
	public void start() {
		try {
			int port = this.listening.get(LISTEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			publishPort(port);
			logger.info("Greeting server listening on port {} ({})", port, this.properties.describeAddress());
			this.running = true;
		}
		catch (ExecutionException ex) {
			throw new ServerStartException(this.properties.port(), this.properties.describeAddress(),
					(ex.getCause() != null) ? ex.getCause() : ex);
		}
		catch (TimeoutException ex) {
			throw new ServerStartException(this.properties.port(), this.properties.describeAddress(),
					new IOException("not listening after " + LISTEN_TIMEOUT.toSeconds() + " s"));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new ServerStartException(this.properties.port(), this.properties.describeAddress(), ex);
		}
	}

	private void publishPort(int port) {
		MutablePropertySources sources = this.environment.getPropertySources();
		PropertySource<?> existing = sources.get(PORTS);
		if (existing instanceof MapPropertySource ports) {
			ports.getSource().put(LOCAL_PORT_PROPERTY, port);
		}
		else {
			Map<String, Object> ports = new HashMap<>();
			ports.put(LOCAL_PORT_PROPERTY, port);
			sources.addFirst(new MapPropertySource(PORTS, ports));
		}
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// The inbound adapter, which starts the connection factory, runs in phase
		// Integer.MAX_VALUE / 2.
		return Integer.MAX_VALUE / 2 + 1;
	}

}
