package dev.greeter.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.event.EventListener;

import dev.greeter.greeting.GreetingChangedEvent;
import dev.greeter.greeting.GreetingReloadFailedEvent;
import dev.greeter.greeting.GreetingSources;
import dev.greeter.server.ListenerObserver;
import dev.greeter.server.ListenerObservers;
import dev.greeter.server.ServerListener;

/**
 * Gives each listener its meters, tagged {@code listener=<name>}: connection meters for a
 * TCP listener, datagram meters for a UDP one, and the meters of its greeting.
 *
 * @author tcp-greeter team
 */
final class ListenerMeters implements ListenerObservers {

	static final String LISTENER = "listener";

	private final MeterRegistry registry;

	private final GreetingSources greetings;

	private final List<GreetingMetrics> greetingMetrics = new CopyOnWriteArrayList<>();

	ListenerMeters(MeterRegistry registry, GreetingSources greetings) {
		this.registry = registry;
		this.greetings = greetings;
	}

	@Override
	public ListenerObserver observe(ServerListener listener) {
		this.greetingMetrics.add(new GreetingMetrics(this.registry, this.greetings.forListener(listener.name())));
		return "udp".equals(listener.protocol()) ? new DatagramMetrics(this.registry, listener)
				: new ConnectionMetrics(this.registry, listener);
	}

	@EventListener
	void greetingChanged(GreetingChangedEvent event) {
		this.greetingMetrics.forEach((metrics) -> metrics.greetingChanged(event));
	}

	@EventListener
	void reloadFailed(GreetingReloadFailedEvent event) {
		this.greetingMetrics.forEach((metrics) -> metrics.reloadFailed(event));
	}

}
