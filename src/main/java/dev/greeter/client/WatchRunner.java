package dev.greeter.client;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.net.ssl.SSLContext;

import org.jspecify.annotations.Nullable;

import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Watch mode: keeps connecting for {@code greeter.client.duration}, at
 * {@code greeter.client.rate} connections per second spread evenly, at most
 * {@code watchConcurrency()} in flight, and reports through a {@link WatchReport}. A
 * connection that is due while every slot is busy is not started, and the summary says
 * how many were not. At the end it waits for every connection it started (each ends
 * within its timeouts), so that the summary adds up.
 * <p>
 * A signal that ends the process early (Ctrl-C, SIGTERM) still gets the summary of what
 * ran, as {@code ping} prints its statistics: a shutdown hook stops the starts, waits for
 * the connections in flight and the summary, and the process then exits with the signal's
 * status (130, 143), not 0, since the watch did not run its course.
 *
 * @author tcp-greeter team
 */
final class WatchRunner {

	private static final long PROGRESS_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

	private final ClientProperties properties;

	private final TaskExecutor threads;

	private final @Nullable SSLContext tls;

	WatchRunner(ClientProperties properties, TaskExecutor threads, @Nullable SSLContext tls) {
		this.properties = properties;
		this.threads = threads;
		this.tls = tls;
	}

	/**
	 * Watch as configured.
	 * @param out where the report goes
	 * @param err where failures and the progress line go
	 * @param errIsTerminal whether standard error is a terminal: only then is there a
	 * progress line
	 * @return the exit status
	 */
	int run(PrintStream out, PrintStream err, boolean errIsTerminal) {
		long start = System.nanoTime();
		WatchReport report = new WatchReport(this.properties, out, err, Instant.now(), start);
		TcpExchange tcp = new TcpExchange(this.properties, this.tls);
		DatagramFetcher udp = new DatagramFetcher(this.properties);
		boolean overUdp = this.properties.protocol() == ClientProperties.Protocol.UDP;
		int concurrency = this.properties.watchConcurrency();
		Semaphore slots = new Semaphore(concurrency);
		CustomizableThreadFactory timerThreads = new CustomizableThreadFactory("greeter-watch-report-");
		timerThreads.setDaemon(true);
		ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(timerThreads);
		long intervalNanos = this.properties.interval().toNanos();
		timer.scheduleAtFixedRate(() -> report.endInterval(System.nanoTime()), intervalNanos, intervalNanos,
				TimeUnit.NANOSECONDS);
		if (errIsTerminal) {
			timer.scheduleAtFixedRate(() -> report.progress(System.nanoTime()), PROGRESS_NANOS, PROGRESS_NANOS,
					TimeUnit.NANOSECONDS);
		}
		long end = start + this.properties.duration().toNanos();
		double periodNanos = 1e9 / this.properties.rate();
		// Every connection ends within its timeouts: connecting, then the greeting.
		long drainNanos = 2 * this.properties.timeout().toNanos() + TimeUnit.SECONDS.toNanos(5);
		EarlyStop stop = EarlyStop.install(Thread.currentThread(), drainNanos + TimeUnit.SECONDS.toNanos(2));
		try {
			for (long i = 0; !stop.requested(); i++) {
				long due = start + (long) (i * periodNanos);
				if (due - end >= 0) {
					break;
				}
				if (!waitUntil(due, stop)) {
					break;
				}
				if (!slots.tryAcquire()) {
					report.skipped();
					continue;
				}
				report.started();
				this.threads.execute(() -> {
					try {
						long begin = System.nanoTime();
						long[] connected = { -1 };
						Object outcome = overUdp ? udp.exchange() : tcp.exchange((nanos) -> connected[0] = nanos);
						long now = System.nanoTime();
						report.completed(Verdict.of(outcome, this.properties), connected[0], now - begin, now);
					}
					finally {
						slots.release();
					}
				});
			}
			if (!slots.tryAcquire(concurrency, drainNanos, TimeUnit.NANOSECONDS)) {
				err.println(GreetingReport.PROGRAM + ": some connections did not end in time; the summary leaves "
						+ "them out");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			timer.shutdownNow();
		}
		try {
			return report.finish(System.nanoTime(), stop.requested());
		}
		finally {
			stop.reported();
		}
	}

	// False when a stop was asked for before the time came.
	private static boolean waitUntil(long due, EarlyStop stop) {
		long wait;
		while ((wait = due - System.nanoTime()) > 0) {
			if (stop.requested()) {
				return false;
			}
			LockSupport.parkNanos(wait);
		}
		return true;
	}

	/**
	 * The shutdown hook that lets a watch stopped by a signal report first. It wakes the
	 * watching thread and waits for its summary, at most as long as the connections in
	 * flight may take plus a margin: a summary that cannot be written (an output that
	 * nobody reads) does not hold the exit for ever.
	 */
	private static final class EarlyStop {

		private final Thread watching;

		private final long waitNanos;

		private final CountDownLatch summary = new CountDownLatch(1);

		private volatile boolean requested;

		private final Thread hook;

		private EarlyStop(Thread watching, long waitNanos) {
			this.watching = watching;
			this.waitNanos = waitNanos;
			this.hook = new Thread(this::stop, "greeter-watch-stop");
		}

		static EarlyStop install(Thread watching, long waitNanos) {
			EarlyStop stop = new EarlyStop(watching, waitNanos);
			Runtime.getRuntime().addShutdownHook(stop.hook);
			return stop;
		}

		boolean requested() {
			return this.requested;
		}

		// Runs on the hook's thread while the JVM shuts down.
		private void stop() {
			this.requested = true;
			LockSupport.unpark(this.watching);
			try {
				this.summary.await(this.waitNanos, TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		// The summary is out: a stop may go on, and a watch that ran its course no
		// longer needs the hook.
		void reported() {
			this.summary.countDown();
			try {
				Runtime.getRuntime().removeShutdownHook(this.hook);
			}
			catch (IllegalStateException ex) {
				// Shutting down already: the hook is running or has run.
			}
		}

	}

	/**
	 * Whether this process's standard error is a terminal (Linux: its descriptor is a tty
	 * or a pseudo-terminal). Elsewhere, or when it cannot tell, it says no.
	 * @return true for a terminal
	 */
	static boolean standardErrorIsTerminal() {
		try {
			String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
			return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
		}
		catch (IOException | UnsupportedOperationException | SecurityException ex) {
			return false;
		}
	}

}
