package dev.greeter.metrics;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import dev.greeter.server.ServerListener;

/**
 * One listener's health: UP while it listens, DOWN otherwise. Together, as the
 * {@code greetingServer} component, they are part of the readiness group, so a Kubernetes
 * Service stops sending clients to an instance that cannot greet on every port.
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
		builder.status(this.listener.isListening() ? "UP" : "DOWN")
			.withDetail("protocol", this.listener.protocol())
			.withDetail("port", this.listener.port())
			.withDetail("serves", this.listener.served());
		if (!this.listener.addresses().isEmpty()) {
			builder.withDetail("addresses", this.listener.addresses());
		}
	}

}
