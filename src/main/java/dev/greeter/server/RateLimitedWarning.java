package dev.greeter.server;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;

/**
 * A warning logged at most once per interval, with the number of occurrences since the
 * last report: a flood of bad connections must not become a flood of log lines, and the
 * counts in the log must still add up to the number of events.
 * <p>
 * The first occurrence after a quiet interval is reported at once. Those that follow
 * within the interval are reported together when it ends, by a timer rather than by the
 * next occurrence, which might never come; a burst is therefore told in full at most one
 * interval late, and whatever is still pending when the server stops is reported then.
 *
 * @author tcp-greeter team
 */
public final class RateLimitedWarning {

	private final Logger logger;

	private final String format;

	private final long intervalNanos;

	private final ScheduledExecutorService timers;

	private final AtomicLong pending = new AtomicLong();

	private final AtomicReference<Object> lastDetail = new AtomicReference<>("");

	// True from a report until the interval after it has ended with nothing to report.
	private final AtomicBoolean interval = new AtomicBoolean();

	/**
	 * Create a warning.
	 * @param logger where it goes
	 * @param format the message: its first {@code {}} is the count since the last report,
	 * its second the detail of the last occurrence
	 * @param interval the shortest time between two reports
	 * @param timers the scheduler that ends each interval
	 */
	RateLimitedWarning(Logger logger, String format, Duration interval, ScheduledExecutorService timers) {
		this.logger = logger;
		this.format = format;
		this.intervalNanos = interval.toNanos();
		this.timers = timers;
	}

	/**
	 * Count an occurrence, and report it now when no report was made in the interval.
	 * @param detail what to say about this occurrence
	 */
	public void occurred(Object detail) {
		this.lastDetail.set(detail);
		this.pending.incrementAndGet();
		if (this.interval.compareAndSet(false, true)) {
			// This occurrence's own detail: another thread may have replaced the last one
			// meanwhile, and the report opening an interval must name the event that
			// opened it.
			report(detail);
			schedule();
		}
	}

	/**
	 * Report whatever is pending now: the server is stopping.
	 */
	void flush() {
		report(this.lastDetail.get());
	}

	private void endOfInterval() {
		if (report(this.lastDetail.get()) > 0) {
			schedule();
			return;
		}
		this.interval.set(false);
		// An occurrence that came between the empty report and the line above saw the
		// interval still open and left its count pending: open a new one for it.
		if (this.pending.get() > 0 && this.interval.compareAndSet(false, true)) {
			report(this.lastDetail.get());
			schedule();
		}
	}

	private long report(Object detail) {
		long count = this.pending.getAndSet(0);
		if (count > 0) {
			this.logger.warn(this.format, count, detail);
		}
		return count;
	}

	private void schedule() {
		try {
			this.timers.schedule(this::endOfInterval, this.intervalNanos, TimeUnit.NANOSECONDS);
		}
		catch (RuntimeException ex) {
			// The timers have stopped with the server: report now what would have waited.
			flush();
			this.interval.set(false);
		}
	}

}
