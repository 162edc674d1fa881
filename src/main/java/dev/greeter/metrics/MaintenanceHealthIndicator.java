package dev.greeter.metrics;

import java.nio.file.Path;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.greeter.server.MaintenanceFile;

/**
 * OUT_OF_SERVICE while the maintenance file exists, UP otherwise; part of the readiness
 * group, so that a balancer checking readiness takes the instance out for a drill.
 *
 * @author tcp-greeter team
 */
final class MaintenanceHealthIndicator extends AbstractHealthIndicator {

	private final MaintenanceFile maintenance;

	MaintenanceHealthIndicator(MaintenanceFile maintenance) {
		super("Maintenance check failed");
		this.maintenance = maintenance;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.status(this.maintenance.active() ? Status.OUT_OF_SERVICE : Status.UP);
		Path file = this.maintenance.file();
		if (file != null) {
			builder.withDetail("file", file.toString());
		}
	}

}
