package dev.greeter.server;

import dev.greeter.server.tcp.TcpGreeter;
import dev.greeter.server.udp.UdpGreeter;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.integration.dsl.context.IntegrationFlowContext;

/**
 * Every listener of the server, and the one place where they start. At its phase, just
 * before Spring Integration's endpoints: from here on a SIGTERM is a normal stop
 * ({@link CleanStopOnSigterm}); the UDP sockets are bound; each listener's flows are
 * registered and started; and start-up waits until every TCP listener listens. Spring
 * Integration binds a server socket on a background thread and, when that fails, the rest
 * of the application would run on: a process that looks alive and serves nothing. Here a
 * port that cannot be bound stops start-up, naming it.
 * <p>
 * The port each listener really bound (port 0 picks one) is published as the property
 * {@code local.greeter.listener.<name>.port}, as Spring Boot publishes
 * {@code local.server.port}, and logged once: tests and tools read the property, not the
 * log.
 *
 * @author tcp-greeter team
 */
public final class Listeners implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(Listeners.class);

	private static final String PORTS = "greeter.ports";

	private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(30);

	private final List<TcpGreeter> tcp;

	private final List<UdpGreeter> udp;

	private final ConfigurableListableBeanFactory beanFactory;

	private final IntegrationFlowContext flows;

	private final ConfigurableEnvironment environment;

	private volatile boolean running;

	Listeners(List<TcpGreeter> tcp, List<UdpGreeter> udp, ConfigurableListableBeanFactory beanFactory,
			IntegrationFlowContext flows, ConfigurableEnvironment environment) {
		this.tcp = List.copyOf(tcp);
		this.udp = List.copyOf(udp);
		this.beanFactory = beanFactory;
		this.flows = flows;
		this.environment = environment;
	}

	/**
	 * The property that holds a listener's bound port.
	 * @param name the listener's name
	 * @return {@code local.greeter.listener.<name>.port}
	 */
	public static String portProperty(String name) {
		return "local.greeter.listener." + name + ".port";
	}

	/**
	 * Every listener, TCP first, each in the order configured.
	 * @return the listeners
	 */
	public List<ServerListener> all() {
		List<ServerListener> all = new ArrayList<>(this.tcp);
		all.addAll(this.udp);
		return all;
	}

	List<TcpGreeter> tcp() {
		return this.tcp;
	}

	List<UdpGreeter> udp() {
		return this.udp;
	}

	@Override
	public void start() {
		// Before anything listens: a SIGTERM that arrives as soon as a port is open is a
		// normal stop, drained, exit status 0.
		CleanStopOnSigterm.serverStarting(ShutdownBudget.stopDeadline(this.environment));
		this.udp.forEach(UdpGreeter::bind);
		for (TcpGreeter listener : this.tcp) {
			listener.register(this.beanFactory, this.flows);
		}
		for (TcpGreeter listener : this.tcp) {
			int port = awaitListening(listener);
			listening(listener.settings(), port, listener.served());
		}
		for (UdpGreeter listener : this.udp) {
			listener.register(this.flows);
		}
		for (UdpGreeter listener : this.udp) {
			awaitReceiving(listener);
			listening(listener.settings(), listener.port(), listener.served());
		}
		this.running = true;
	}

	private static int awaitListening(TcpGreeter listener) {
		try {
			return listener.bound().get(LISTEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw new ServerStartException(listener.settings(), (ex.getCause() != null) ? ex.getCause() : ex);
		}
		catch (TimeoutException ex) {
			throw new ServerStartException(listener.settings(),
					new IOException("not listening after " + LISTEN_TIMEOUT.toSeconds() + " s"));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new ServerStartException(listener.settings(), ex);
		}
	}

	private static void awaitReceiving(UdpGreeter listener) {
		try {
			if (!listener.awaitReceiving(LISTEN_TIMEOUT)) {
				throw new ServerStartException(listener.settings(),
						new IOException("not receiving after " + LISTEN_TIMEOUT.toSeconds() + " s"));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new ServerStartException(listener.settings(), ex);
		}
	}

	private void listening(ListenerSettings listener, int port, String served) {
		publishPort(listener.name(), port);
		if (listener.configured()) {
			logger.info("Greeting server listening on {} port {} ({}), listener '{}'", listener.protocol().name(), port,
					served, listener.name());
		}
		else {
			// Worded as it always was: scripts and people look for this line.
			logger.info("Greeting server listening on port {} ({})", port, served);
		}
	}

	private void publishPort(String name, int port) {
		MutablePropertySources sources = this.environment.getPropertySources();
		PropertySource<?> existing = sources.get(PORTS);
		if (existing instanceof MapPropertySource ports) {
			ports.getSource().put(portProperty(name), port);
		}
		else {
			Map<String, Object> ports = new HashMap<>();
			ports.put(portProperty(name), port);
			sources.addFirst(new MapPropertySource(PORTS, ports));
		}
	}

	@Override
	public void stop() {
		// The listeners' endpoints stop in their own phase, after the drain.
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// Spring Integration's endpoints start in phase Integer.MAX_VALUE / 2; the web
		// server, later still.
		return Integer.MAX_VALUE / 2 - 1;
	}

}
