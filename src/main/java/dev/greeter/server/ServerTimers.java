package dev.greeter.server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.slf4j.Logger;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The server's one timer thread: write timeouts, the linger sweep and the end of each
 * rate-limited report's interval. Their tasks are all short, so one daemon thread serves
 * them; when the server stops, every report still pending is written before the thread
 * goes.
 *
 * @author tcp-greeter team
 */
public final class ServerTimers implements DisposableBean {

	private final ScheduledExecutorService scheduler;

	private final Duration reportInterval;

	private final List<RateLimitedWarning> warnings = new CopyOnWriteArrayList<>();

	public ServerTimers(Duration reportInterval) {
		CustomizableThreadFactory threads = new CustomizableThreadFactory("greeter-timers-");
		threads.setDaemon(true);
		this.scheduler = Executors.newSingleThreadScheduledExecutor(threads);
		this.reportInterval = reportInterval;
	}

	public ScheduledExecutorService scheduler() {
		return this.scheduler;
	}

	/**
	 * A warning reported at most once per {@code greeter.server.report-interval}.
	 * @param logger where it goes
	 * @param format its message: the count since the last report, then the last detail
	 * @return the warning
	 */
	public RateLimitedWarning warning(Logger logger, String format) {
		RateLimitedWarning warning = new RateLimitedWarning(logger, format, this.reportInterval, this.scheduler);
		this.warnings.add(warning);
		return warning;
	}

	@Override
	public void destroy() {
		this.scheduler.shutdownNow();
		this.warnings.forEach(RateLimitedWarning::flush);
	}

}
