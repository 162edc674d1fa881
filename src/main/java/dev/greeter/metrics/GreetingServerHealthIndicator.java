package dev.greeter.metrics;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.integration.ip.tcp.connection.AbstractServerConnectionFactory;

/**
 * UP while the greeting server listens, DOWN otherwise; part of the readiness group, so a
 * Kubernetes Service stops sending clients to an instance that cannot greet them.
 *
 * @author tcp-greeter team
 */
final class GreetingServerHealthIndicator extends AbstractHealthIndicator {

	private final AbstractServerConnectionFactory factory;

	GreetingServerHealthIndicator(AbstractServerConnectionFactory factory) {
		super("Greeting server health check failed");
		this.factory = factory;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.status(this.factory.isListening() ? "UP" : "DOWN").withDetail("port", this.factory.getPort());
	}

}
