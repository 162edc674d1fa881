package dev.greeter.server;

import dev.greeter.server.tcp.TcpGreeter;
import dev.greeter.server.udp.UdpGreeter;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Shuts the greeting server down without cutting a greeting in half. On SIGTERM (the
 * context closing): readiness goes to refusing traffic at once; greetings go on for
 * {@code greeter.server.shutdown-delay} (0 by default) while balancers notice; the server
 * stops accepting; the connections already accepted finish (greeting, half-close, drain:
 * each ends within {@code greeter.server.linger} or
 * {@code greeter.server.write-timeout}); connections the kernel had already queued are
 * taken and greeted first, not reset; UDP listeners stop receiving; only then does
 * shutdown go on, to the web server and the connection factory. Spring Integration's
 * factories would otherwise close every open connection at once.
 * <p>
 * It stops first of all lifecycle beans (its phase is above the web server's graceful
 * shutdown), so the readiness endpoint answers 503 while connections drain. The wait is
 * bounded by {@code spring.lifecycle.timeout-per-shutdown-phase}, after which shutdown
 * goes on regardless.
 *
 * @author tcp-greeter team
 */
final class GracefulDrain implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(GracefulDrain.class);

	private static final Duration POLL = Duration.ofMillis(20);

	private final Listeners listeners;

	private final ApplicationEventPublisher events;

	private final Duration shutdownDelay;

	private volatile boolean running;

	GracefulDrain(Listeners listeners, ApplicationEventPublisher events, Duration shutdownDelay) {
		this.listeners = listeners;
		this.events = events;
		this.shutdownDelay = shutdownDelay;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		drain();
		this.running = false;
	}

	@Override
	public void stop(Runnable callback) {
		// On a thread of its own, so that the lifecycle processor can give up after its
		// timeout.
		Thread drainer = new Thread(() -> {
			try {
				stop();
			}
			finally {
				callback.run();
			}
		}, "greeter-drain");
		drainer.setDaemon(true);
		drainer.start();
	}

	private void drain() {
		AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
		if (!this.shutdownDelay.isZero()) {
			// Balancers that health-check readiness need a few of their intervals to see
			// the 503 and stop sending; until then, clients keep coming and are greeted.
			logger.info("Readiness is 503; greeting on for {} ms (greeter.server.shutdown-delay) before draining",
					this.shutdownDelay.toMillis());
			if (!pause(this.shutdownDelay)) {
				return;
			}
		}
		// Each greets what already waits in its backlog, closes its listening socket, and
		// returns once its accept loop has handed its last connection over: the count
		// below is whole. In parallel, so that several listeners take no longer than one.
		this.listeners.tcp().parallelStream().forEach(TcpGreeter::stopAccepting);
		this.listeners.udp().forEach(UdpGreeter::stopReceiving);
		int open = open();
		logger.info("Greeting server stopped accepting; waiting for {} open connection(s) to finish", open);
		long start = System.nanoTime();
		while (open() > 0) {
			if (!pause()) {
				return;
			}
		}
		logger.info("Greeting server drained in {} ms", (System.nanoTime() - start) / 1_000_000);
	}

	private int open() {
		return this.listeners.tcp().stream().mapToInt((listener) -> listener.openConnections()).sum();
	}

	private static boolean pause() {
		return pause(POLL);
	}

	private static boolean pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// Above the web server's graceful shutdown (SmartLifecycle.DEFAULT_PHASE - 1024),
		// so it stops first.
		return SmartLifecycle.DEFAULT_PHASE - 512;
	}

}
