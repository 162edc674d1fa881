package dev.greeter.server.tcp;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.task.SimpleAsyncTaskExecutorBuilder;
import org.springframework.core.task.TaskExecutor;
import org.springframework.core.task.support.TaskExecutorAdapter;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The threads that serve connections: one per connection for its whole life, as blocking
 * I/O needs.
 * <p>
 * With virtual threads (Java 21+ and {@code spring.threads.virtual.enabled}), a new
 * virtual thread per connection from Boot's {@link SimpleAsyncTaskExecutorBuilder}.
 * Without them, a cached pool of platform threads: a thread per connection still, but
 * reused, because creating a platform thread for every connection cut throughput by far
 * (docs/BENCHMARKS.md has the figures). Neither is Boot's bounded
 * {@code applicationTaskExecutor}, whose queue would hold accepted connections that
 * nobody reads.
 * <p>
 * Not an {@code Executor} bean itself, so that Boot still configures its own task
 * executor for the rest of the application.
 *
 * @author tcp-greeter team
 */
public final class ConnectionThreads implements DisposableBean {

	private static final String PREFIX = "greeter-";

	// Idle pooled threads retire after this: a burst's threads do not outlive it by long.
	private static final long IDLE_SECONDS = 10;

	private final TaskExecutor executor;

	private final @Nullable ExecutorService pool;

	private ConnectionThreads(TaskExecutor executor, @Nullable ExecutorService pool) {
		this.executor = executor;
		this.pool = pool;
	}

	public static ConnectionThreads create(boolean virtual, SimpleAsyncTaskExecutorBuilder builder) {
		if (virtual) {
			return new ConnectionThreads(builder.virtualThreads(true).threadNamePrefix(PREFIX).build(), null);
		}
		CustomizableThreadFactory threads = new CustomizableThreadFactory(PREFIX);
		threads.setDaemon(true);
		ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS,
				new SynchronousQueue<>(), threads);
		return new ConnectionThreads(new TaskExecutorAdapter(pool), pool);
	}

	/**
	 * Whether each connection runs on a virtual thread, rather than taking a platform
	 * thread.
	 * @return true for virtual threads
	 */
	public boolean virtual() {
		return this.pool == null;
	}

	public TaskExecutor executor() {
		return this.executor;
	}

	@Override
	public void destroy() {
		// The connection factory has closed every connection when it stopped; idle
		// threads just go.
		if (this.pool != null) {
			this.pool.shutdown();
		}
	}

}
