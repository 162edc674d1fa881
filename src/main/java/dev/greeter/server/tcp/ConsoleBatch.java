package dev.greeter.server.tcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Lets the drain selector write the log lines of one turn with one system call: the group
 * commit of a database's log, not the buffer of nginx's {@code access_log ...
 * buffer=}. A line is never held back waiting for more; the lines that one turn of the
 * selector writes (a "Connection established" line per connection it takes, a "Connection
 * closed" record per connection it closes) go out together at the end of that turn,
 * microseconds later. At 64 clients a turn takes several connections, and their lines
 * used to cost a {@code write} each (docs/BENCHMARKS.md).
 * <p>
 * How: Spring Boot's console appender ({@code CONSOLE}) gets an output stream that, on a
 * thread inside a batch ({@link #during}), collects what the appender writes and skips
 * its flush; every other thread writes through as before. Only the console is batched; a
 * log file ({@code logging.file.name}) is written line by line as before. Without
 * Logback, or without Boot's console appender, nothing changes.
 * <p>
 * The same stream tells when the console blocks ({@link #blockedNanos}): a listener whose
 * connections each write a line cannot greet then, and its health says so.
 *
 * @author tcp-greeter team
 */
final class ConsoleBatch {

	// A turn that takes a burst of connections writes every 64 KiB, not all at its end.
	private static final int MAX_BATCH = 64 * 1024;

	private static final ThreadLocal<@Nullable ConsoleBatch> current = new ThreadLocal<>();

	// Writes to the console under way, and when the console last made progress (a write
	// ended, or one began while none was under way): see blockedNanos().
	private static final AtomicInteger writing = new AtomicInteger();

	private static volatile long progressNanos = System.nanoTime();

	// Kept from turn to turn: a selector's thread is the only one to use it.
	private final ByteArrayOutputStream lines = new ByteArrayOutputStream(1024);

	private @Nullable OutputStream console;

	/**
	 * Wrap the console appender's stream, once per appender: Boot makes a new one when it
	 * sets logging up again, as a test that starts another application does.
	 */
	static void install() {
		if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
			return;
		}
		Appender<ILoggingEvent> appender = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
		// A console appender only: its stream is System.out's (or System.err's), which
		// takes each write whole under its own lock, so a turn's lines, written without
		// the appender's lock, never interleave with another thread's. A file's stream
		// has no such lock.
		if (appender instanceof ConsoleAppender<ILoggingEvent> console && console.isStarted()) {
			OutputStream stream = console.getOutputStream();
			if (stream != null && !(stream instanceof Batching)) {
				// Its close (on the swap) is a no-op for the console: System.out stays
				// open.
				console.setOutputStream(new Batching(stream));
			}
		}
	}

	/**
	 * How long a write to the console has been under way without any write ending: a
	 * write takes microseconds, unless the standard output is a pipe or terminal that
	 * nobody reads (a paused terminal, a stalled log shipper), which blocks every thread
	 * that logs, in the appender, until it is read.
	 * @return nanoseconds, 0 while no write is under way
	 */
	static long blockedNanos() {
		long since = progressNanos;
		return (writing.get() > 0) ? Math.max(0, System.nanoTime() - since) : 0;
	}

	// Around every write to the console, in a finally.
	private static void writeBegins() {
		if (writing.getAndIncrement() == 0) {
			progressNanos = System.nanoTime();
		}
	}

	private static void writeEnded() {
		progressNanos = System.nanoTime();
		writing.decrementAndGet();
	}

	/**
	 * Run the given work with this thread's console lines collected, and write them at
	 * its end in one go, even if it fails. Not reentrant; one thread at a time.
	 * @param work what the selector does in a turn
	 */
	void during(Runnable work) {
		current.set(this);
		try {
			work.run();
		}
		finally {
			current.remove();
			writeOut();
		}
	}

	private void add(OutputStream console, byte[] bytes, int offset, int length) {
		if (this.console != null && this.console != console) {
			writeOut(); // the appender was replaced: each line goes to its own stream
		}
		this.console = console;
		this.lines.write(bytes, offset, length);
		if (this.lines.size() >= MAX_BATCH) {
			writeOut();
		}
	}

	private void writeOut() {
		OutputStream console = this.console;
		if (console == null || this.lines.size() == 0) {
			return;
		}
		try {
			// One write: System.out writes an array this size in one system call.
			writeBegins();
			try {
				this.lines.writeTo(console);
			}
			finally {
				writeEnded();
			}
			console.flush();
		}
		catch (IOException ex) {
			// Lost, as the appender itself would lose them: standard output is closed.
		}
		finally {
			this.lines.reset();
		}
	}

	/**
	 * The console appender's stream: collects on a thread inside a batch, writes through
	 * on any other.
	 */
	private static final class Batching extends OutputStream {

		private final OutputStream console;

		Batching(OutputStream console) {
			this.console = console;
		}

		@Override
		public void write(int b) throws IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			ConsoleBatch batch = current.get();
			if (batch != null) {
				batch.add(this.console, bytes, offset, length);
			}
			else {
				writeBegins();
				try {
					this.console.write(bytes, offset, length);
				}
				finally {
					writeEnded();
				}
			}
		}

		@Override
		public void flush() throws IOException {
			if (current.get() == null) {
				this.console.flush();
			}
		}

		@Override
		public void close() throws IOException {
			this.console.close();
		}

	}

}
