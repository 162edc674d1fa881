package dev.greeter.server;

import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.task.TaskExecutor;
import org.springframework.integration.ip.tcp.connection.TcpConnection;

/**
 * Runs each accepted connection on its thread while fewer than
 * {@code greeter.server.max-connections} are open, and closes it at once otherwise: under
 * a flood, threads, file descriptors and memory stay bounded and the connections already
 * open are still served.
 * <p>
 * The limit sits where the connection factory hands a connection to its thread, so a
 * rejected connection never gets one. The factory's own accept loop runs on the same
 * executor and is never limited. Rejections are logged at most once per
 * {@code greeter.server.report-interval}, with the count since the last report.
 *
 * @author tcp-greeter team
 */
final class ConnectionLimit implements TaskExecutor {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionLimit.class);

	private final TaskExecutor threads;

	private final int maxConnections;

	private final Semaphore open;

	// Looked up when first needed: the metrics that implement it depend on the connection
	// factory.
	private final Supplier<GreetingListener> listener;

	private final RateLimitedWarning rejections;

	ConnectionLimit(TaskExecutor threads, int maxConnections, Supplier<GreetingListener> listener,
			ServerTimers timers) {
		this.threads = threads;
		this.maxConnections = maxConnections;
		this.open = new Semaphore(maxConnections);
		this.listener = listener;
		this.rejections = timers.warning(logger, "{} new connection(s) closed without a greeting since the last "
				+ "report: {} open, the limit (greeter.server.max-connections)");
	}

	@Override
	public void execute(Runnable task) {
		if (!(task instanceof TcpConnection connection)) {
			this.threads.execute(task); // the accept loop
			return;
		}
		if (!this.open.tryAcquire()) {
			reject(connection);
			return;
		}
		try {
			this.threads.execute(() -> {
				try {
					connection.run();
				}
				finally {
					this.open.release();
				}
			});
		}
		catch (RuntimeException ex) {
			this.open.release();
			throw ex;
		}
	}

	private void reject(TcpConnection connection) {
		// Counted and reported before the close, so that a client that sees its rejection
		// also sees it counted and logged.
		this.listener.get().connectionRejected();
		this.rejections.occurred(this.maxConnections);
		connection.close();
	}

}
