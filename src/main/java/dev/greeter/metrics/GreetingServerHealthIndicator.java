package dev.greeter.metrics;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import dev.greeter.server.ServerListener;

/**
 * One listener's health: UP while it listens and nothing holds its greetings up, DOWN
 * otherwise. Together, as the {@code greetingServer} component, they are part of the
 * readiness group, so a Kubernetes Service stops sending clients to an instance that
 * cannot greet on every port.
 *
 * @author tcp-greeter team
 */
final class GreetingServerHealthIndicator extends AbstractHealthIndicator {

	private final ServerListener listener;

	GreetingServerHealthIndicator(ServerListener listener) {
		super("Greeting server health check failed");
		this.listener = listener;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		// Read once: a stall may clear between two reads.
		String stalled = this.listener.stalled();
		builder.status((this.listener.isListening() && stalled == null) ? "UP" : "DOWN")
			.withDetail("protocol", this.listener.protocol())
			.withDetail("port", this.listener.port())
			.withDetail("serves", this.listener.served());
		if (stalled != null) {
			builder.withDetail("stalled", stalled);
		}
		if (!this.listener.addresses().isEmpty()) {
			builder.withDetail("addresses", this.listener.addresses());
		}
	}

}
