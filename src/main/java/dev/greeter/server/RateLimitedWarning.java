package dev.greeter.server;

import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * A warning logged at most once per interval, with the number of occurrences since the
 * last one: a flood of bad connections must not become a flood of log lines.
 *
 * @author tcp-greeter team
 */
final class RateLimitedWarning {

	static final long INTERVAL_NANOS = 10_000_000_000L;

	private final Logger logger;

	private final AtomicLong occurrences = new AtomicLong();

	private final AtomicLong nextReport = new AtomicLong(System.nanoTime());

	RateLimitedWarning(Logger logger) {
		this.logger = logger;
	}

	/**
	 * Count an occurrence, and log it when the interval since the last report is over.
	 * @param format the message, whose first {@code {}} is the count since the last
	 * report
	 * @param detail the message's second argument
	 */
	void occurred(String format, Object detail) {
		this.occurrences.incrementAndGet();
		long now = System.nanoTime();
		long next = this.nextReport.get();
		// One thread wins the report; the others only counted.
		if (now - next >= 0 && this.nextReport.compareAndSet(next, now + INTERVAL_NANOS)) {
			this.logger.warn(format, this.occurrences.getAndSet(0), detail);
		}
	}

}
