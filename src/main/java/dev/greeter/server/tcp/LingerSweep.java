package dev.greeter.server.tcp;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the drain of a client that outstays {@code greeter.server.linger}: one sweep per
 * tick over the connections that are draining, instead of a read timeout on each socket.
 * <p>
 * Why not the socket's read timeout: a timed read costs a timer per connection. On a
 * virtual thread it is a task on the JDK's delay scheduler, scheduled, then cancelled
 * when the client closes, and waking the scheduler's thread each time; on a platform
 * thread it is a switch to non-blocking mode and a {@code poll} before the read. Under
 * load that was a large share of the server's CPU samples (docs/BENCHMARKS.md has the
 * profile). Here a connection costs one map insert and one removal, and the linger ends
 * at most one tick late.
 * <p>
 * A connection whose linger ends has its input shut down: its blocked read returns at
 * once, while the connection is still open, so it is closed and counted as a timeout like
 * any other failed read.
 *
 * @author tcp-greeter team
 */
final class LingerSweep {

	private static final Logger logger = LoggerFactory.getLogger(LingerSweep.class);

	private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private static final long MAX_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

	private final long lingerNanos;

	// Each draining connection, with its deadline in System.nanoTime() terms.
	private final Map<Lingering, Long> draining = new ConcurrentHashMap<>();

	LingerSweep(Duration linger, ScheduledExecutorService scheduler) {
		this.lingerNanos = linger.toNanos();
		long tick = tickNanos(linger);
		scheduler.scheduleWithFixedDelay(() -> sweep(System.nanoTime()), tick, tick, TimeUnit.NANOSECONDS);
	}

	/**
	 * How often the sweep runs: a tenth of the linger, so that it ends at most 10% late,
	 * between 10 ms and 200 ms, so that an idle server wakes up at most 100 times a
	 * second.
	 * @param linger the linger period
	 * @return the tick in nanoseconds
	 */
	static long tickNanos(Duration linger) {
		return Math.min(MAX_TICK_NANOS, Math.max(MIN_TICK_NANOS, linger.toNanos() / 10));
	}

	/**
	 * Start the linger of a connection that begins to drain.
	 * @param connection the connection
	 */
	void started(Lingering connection) {
		this.draining.put(connection, System.nanoTime() + this.lingerNanos);
	}

	/**
	 * The connection's drain is over, whichever way it ended.
	 * @param connection the connection
	 */
	void ended(Lingering connection) {
		this.draining.remove(connection);
	}

	/**
	 * End the linger of every connection whose deadline has passed.
	 * @param now the time, in {@link System#nanoTime()} terms
	 */
	void sweep(long now) {
		for (Map.Entry<Lingering, Long> entry : this.draining.entrySet()) {
			if (now - entry.getValue() >= 0 && this.draining.remove(entry.getKey(), entry.getValue())) {
				try {
					entry.getKey().lingerExpired();
				}
				catch (RuntimeException ex) {
					// A scheduled task that throws is never run again: one bad connection
					// must not end the linger bound for all the others.
					logger.warn("Could not end the linger of a connection", ex);
				}
			}
		}
	}

	/**
	 * A connection the sweep can end.
	 */
	interface Lingering {

		/**
		 * The linger is over: wake the blocked read and let it fail as a timeout.
		 */
		void lingerExpired();

	}

}
