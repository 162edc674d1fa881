package dev.greeter.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * The readiness switch for failover drills: while {@code greeter.server.maintenance-file}
 * exists, readiness is OUT_OF_SERVICE (HTTP 503), so balancers that check it take this
 * instance out while it goes on greeting whoever still comes. An operator flips it with
 * {@code touch} and {@code rm}, or a ConfigMap; there is no HTTP endpoint that writes.
 * <p>
 * The file is looked for once a {@value #CHECK_MILLIS} ms, and each change is logged
 * once.
 *
 * @author tcp-greeter team
 */
public final class MaintenanceFile implements SmartLifecycle {

	static final long CHECK_MILLIS = 500;

	private static final Logger logger = LoggerFactory.getLogger(MaintenanceFile.class);

	private final @Nullable Path file;

	private final ServerTimers timers;

	private volatile boolean present;

	private volatile @Nullable ScheduledFuture<?> checks;

	MaintenanceFile(@Nullable Path file, ServerTimers timers) {
		this.file = file;
		this.timers = timers;
	}

	/**
	 * Whether the instance is in maintenance now.
	 * @return true while the file exists
	 */
	public boolean active() {
		return this.present;
	}

	/**
	 * The file, for the health details.
	 * @return its path, or {@code null} when no file is configured
	 */
	public @Nullable Path file() {
		return this.file;
	}

	void check() {
		Path watched = this.file;
		if (watched == null) {
			return;
		}
		boolean exists = Files.exists(watched);
		if (exists != this.present) {
			this.present = exists;
			if (exists) {
				logger.warn("Maintenance file {} exists: readiness is OUT_OF_SERVICE until it is removed; "
						+ "greetings go on", watched);
			}
			else {
				logger.info("Maintenance file {} removed: readiness is back", watched);
			}
		}
	}

	@Override
	public void start() {
		if (this.file != null) {
			// Before the first probe: an instance started in maintenance never looks
			// ready.
			check();
			this.checks = this.timers.scheduler()
				.scheduleWithFixedDelay(this::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
		}
	}

	@Override
	public void stop() {
		ScheduledFuture<?> running = this.checks;
		if (running != null) {
			running.cancel(false);
			this.checks = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.checks != null;
	}

}
