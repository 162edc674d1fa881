package dev.greeter.server.tcp;

import dev.greeter.server.ListenerObserver;
import dev.greeter.server.ListenerSettings;
import dev.greeter.server.RateLimitedWarning;
import dev.greeter.server.ServerTimers;

import java.util.concurrent.Semaphore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a listener hold at most its {@code max-connections} open: an accepted socket
 * beyond them is closed at once, without a greeting and without a thread, so under a
 * flood threads, file descriptors and memory stay bounded and the connections already
 * open are still served. Rejections are logged at most once per
 * {@code greeter.server.report-interval}, with the count since the last report.
 * <p>
 * A socket holds its place from its accept until its thread is done with it, PROXY header
 * and TLS handshake included: what is in use is exactly what the drain waits for.
 *
 * @author tcp-greeter team
 */
final class ConnectionLimit {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionLimit.class);

	private final int maxConnections;

	private final Semaphore places;

	private final ListenerObserver observer;

	private final RateLimitedWarning rejections;

	ConnectionLimit(ListenerSettings settings, int maxConnections, ListenerObserver observer, ServerTimers timers) {
		this.maxConnections = maxConnections;
		this.places = new Semaphore(maxConnections);
		this.observer = observer;
		this.rejections = timers.warning(logger, "{} new connection(s) closed without a greeting since the last "
				+ "report: {} open, the limit (" + settings.property("max-connections") + ")");
	}

	/**
	 * Take a place for a new connection, or count and report its rejection; the caller
	 * closes a rejected one.
	 * @return whether the connection may be served
	 */
	boolean tryAcquire() {
		if (this.places.tryAcquire()) {
			return true;
		}
		// Counted and reported before the caller closes, so that a client that sees its
		// rejection also sees it counted and logged.
		this.observer.connectionRejected();
		this.rejections.occurred(this.maxConnections);
		return false;
	}

	/**
	 * A connection's thread is done with it.
	 */
	void release() {
		this.places.release();
	}

	/**
	 * How many connections hold a place now.
	 * @return the count
	 */
	int inUse() {
		return this.maxConnections - this.places.availablePermits();
	}

}
