package dev.greeter.server.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.greeter.server.tcp.DrainingDeserializer.ConnectionEnd;

/**
 * One thread and one {@link Selector} that drain every greeted connection of a listener
 * until its client closes, and close it then, or at the linger deadline: what the
 * {@link DrainingDeserializer} does on a thread of its own per connection, without the
 * thread.
 * <p>
 * Why drain at all, see {@link DrainingDeserializer}: closing with unread input resets
 * the connection, and a reset can destroy the greeting. The outcomes are the same as the
 * blocking drain's, told to the connection the same way (an end of stream, a reset, or a
 * timeout at the linger), so the meters and the log cannot tell the two paths apart.
 * <p>
 * The linger: every connection of a listener lingers for the same time, so deadlines come
 * in the order connections arrive. They are kept in a list in that order, each connection
 * taking itself out when it ends, so the next deadline is always the list's head and the
 * selector's timeout is the sweep: no timer per connection, no scan.
 * <p>
 * Connections are handed over through a queue: the accepting thread does not wait for the
 * selector, unless the selector has fallen far behind ({@link #drain}). While connections
 * are registered, a client's close wakes the selector soon enough to find the new ones
 * (at most 10 ms later), so nobody wakes it: a wake-up is a system call. With none
 * registered, only a wake-up can, except while connections come faster than one a turn
 * (the last turn took {@value #BUSY_ARRIVALS} or more): then the selector looks again
 * every {@value #BUSY_POLL_MILLIS} ms instead of asking to be woken. Under load a wake-up
 * is dear: the accepting thread's system call, and both threads through the scheduler,
 * the woken one often meeting the waker still inside the selector's wake-up lock (a tenth
 * fewer CPU per connection at 64 clients without them, docs/BENCHMARKS.md). A connection
 * then waits at most that long for its close, never for its greeting. At one client at a
 * time a turn rarely takes more than one, so little changes there. (Parking the thread on
 * the queue instead, with nothing registered, was measured too: no fewer system calls at
 * 64 clients, where park and unpark contend.)
 * <p>
 * A connection that ends while registered is closed after the next select has
 * deregistered it: a channel closed while registered makes the JDK look up its linger,
 * shut its output down a second time and close it only at that select anyway. The lines a
 * turn logs go out in one write ({@link ConsoleBatch}).
 *
 * @author tcp-greeter team
 */
final class DrainSelector {

	private static final Logger logger = LoggerFactory.getLogger(DrainSelector.class);

	// A client that keeps sending is read at most this much per turn, so that it cannot
	// keep the selector from the others; the rest waits for the next turn.
	private static final int MAX_READS_PER_TURN = 16;

	// How long a connection may wait in the queue while the selector sleeps on others
	// that linger: the delay of its close at worst, never of its greeting.
	private static final long ARRIVAL_POLL_MILLIS = 10;

	// A turn that took this many arrivals means they come faster than a wake-up is worth.
	private static final int BUSY_ARRIVALS = 4;

	// How often a busy selector with nothing registered looks for arrivals.
	private static final long BUSY_POLL_MILLIS = 1;

	// How many greeted connections may wait for the selector to take them (a dozen
	// milliseconds' worth at the fastest rate measured): see drain().
	static final int MAX_WAITING = 256;

	// A connection that has waited this long for the selector to take it means that
	// the selector's thread is stuck, not busy: a turn takes milliseconds at the
	// fastest rate measured, and the longest pause of its heap's collector is shorter
	// still. Stuck in a write to a standard output that nobody reads (a paused
	// terminal, a stalled log shipper), the likely cause, it holds the accepting
	// thread once MAX_WAITING wait. The same bound serves for a console write
	// (TcpGreeter.stalled), which takes microseconds.
	static final Duration STALL = Duration.ofSeconds(2);

	// How long the accepting thread waits at a time, while the selector catches up.
	private static final long CATCH_UP_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

	private final String name;

	private final long lingerNanos;

	private final String lingerProperty;

	private final Queue<GreetingConnection> arriving = new ConcurrentLinkedQueue<>();

	// How many connections are in "arriving": the accepting thread adds each, the
	// selector takes a turn's worth off at the end of the turn.
	private final AtomicInteger waiting = new AtomicInteger();

	private final ByteBuffer discard = ByteBuffer.allocateDirect(8192);

	private final Selector selector;

	private final Thread thread;

	// Set while the selector waits with nothing registered: an arrival wakes it.
	private volatile boolean sleeping;

	private final ConsoleBatch lines = new ConsoleBatch();

	// Connections that ended, their keys cancelled: "ended" since the last select,
	// "closing" before it, so deregistered by it and closed after it.
	private List<Draining> ended = new ArrayList<>();

	private List<Draining> closing = new ArrayList<>();

	private volatile boolean stopped;

	// How many connections the last turn took. Only the selector's thread touches it.
	private int lastArrivals;

	// The lingering connections, oldest (first deadline) first. Only the selector's
	// thread touches them.
	private @Nullable Draining oldest;

	private @Nullable Draining newest;

	DrainSelector(String name, Duration linger, String lingerProperty) throws IOException {
		this.name = name;
		this.lingerNanos = linger.toNanos();
		this.lingerProperty = lingerProperty;
		this.selector = Selector.open();
		ConsoleBatch.install();
		this.thread = new Thread(this::run, "drain-" + name);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/**
	 * Drain a connection that was greeted and half-closed, and close it when its client
	 * does. Returns at once, unless {@value #MAX_WAITING} connections already wait for
	 * the selector: then it waits until the selector has taken half of them.
	 * <p>
	 * Why wait: the selector's thread falls that far behind only when it gets no CPU (a
	 * starved or throttled process, a cold start), and every connection it has not taken
	 * yet holds a place under the connection limit, its client long gone. Without the
	 * wait the accepting thread greeted on until the limit turned new clients away, with
	 * only a few of them really connected (2,048 open at 64 clients, seen on a busy
	 * machine). While it waits, new clients wait in the listen backlog instead, and are
	 * greeted when the selector has caught up.
	 * @param connection a connection whose socket has a channel, in blocking mode still
	 */
	void drain(GreetingConnection connection) {
		this.arriving.offer(connection);
		int waiting = this.waiting.incrementAndGet();
		// The selector reads "arriving" after it says it sleeps, or sees the wake-up: a
		// connection is never left in the queue while it sleeps.
		if (this.sleeping || this.stopped) {
			this.selector.wakeup();
		}
		if (waiting > MAX_WAITING) {
			catchUp();
		}
	}

	// Until the selector has taken half of what waits, or has stopped (it takes no more
	// then, and the connections that wait are closed by its close).
	private void catchUp() {
		this.selector.wakeup(); // from a timed wait on lingering connections
		while (this.waiting.get() > MAX_WAITING / 2 && !this.stopped) {
			LockSupport.parkNanos(CATCH_UP_PARK_NANOS);
		}
	}

	/**
	 * Why the listener cannot greet for long, if its selector has not taken a greeted
	 * connection for {@link #STALL}: the oldest one still waits. Read by the health
	 * check, on a thread of its own; it writes no log line, as the log may be what is
	 * stuck.
	 * @return the reason, or null
	 */
	@Nullable String stalled() {
		GreetingConnection oldest = this.arriving.peek();
		if (oldest == null) {
			return null;
		}
		long waited = System.nanoTime() - oldest.openedNanos();
		if (waited < STALL.toNanos()) {
			return null;
		}
		return "thread drain-" + this.name + " has taken no greeted connection for "
				+ TimeUnit.NANOSECONDS.toSeconds(waited) + " s (" + this.waiting.get()
				+ " wait); is the standard output blocked?";
	}

	/**
	 * Whether the selector still drains: false once stopped, or once the selector failed,
	 * after which connections take threads again.
	 * @return true while connections may be handed over
	 */
	boolean running() {
		return !this.stopped;
	}

	/**
	 * Stop draining: the factory has closed, or is closing, every connection. The
	 * selector's close releases the channels it still holds.
	 */
	void stop() {
		this.stopped = true;
		this.selector.wakeup();
		try {
			this.thread.join(TimeUnit.SECONDS.toMillis(5));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void run() {
		try {
			while (!this.stopped) {
				long now = System.nanoTime();
				expire(now);
				List<Draining> deregistering = this.ended;
				this.ended = this.closing;
				this.closing = deregistering;
				if (this.oldest == null && deregistering.isEmpty()) {
					if (this.lastArrivals >= BUSY_ARRIVALS) {
						// Nothing is registered, and connections come fast: the next
						// ones are taken within the poll, without a wake-up.
						if (this.arriving.isEmpty() && !this.stopped) {
							this.selector.select(this::readable, BUSY_POLL_MILLIS);
						}
					}
					else {
						// Nothing is registered: only an arrival can wake the selector.
						this.sleeping = true;
						if (this.arriving.isEmpty() && !this.stopped) {
							this.selector.select(this::readable, 0);
						}
						this.sleeping = false;
					}
				}
				else if (this.arriving.isEmpty() && deregistering.isEmpty() && !this.stopped) {
					// A client's close wakes it soon enough to find the new ones.
					this.selector.select(this::readable, Math.min(timeoutMillis(now), ARRIVAL_POLL_MILLIS));
				}
				else {
					this.selector.selectNow(this::readable);
				}
				this.lines.during(this::afterSelect);
			}
		}
		catch (IOException | RuntimeException ex) {
			// The selector itself failed, which leaves the connections undrained:
			// they are closed, so none waits for ever, and the listener goes on with
			// threads.
			logger.error("The drain of listener '{}' failed; its connections are closed", this.name, ex);
			this.stopped = true;
		}
		finally {
			closeAll();
		}
	}

	// Until the first deadline. Called while something lingers; the arrival poll
	// otherwise, to be safe.
	private long timeoutMillis(long now) {
		Draining first = this.oldest;
		if (first == null) {
			return ARRIVAL_POLL_MILLIS;
		}
		return Math.max(1, TimeUnit.NANOSECONDS.toMillis(first.deadline - now) + 1);
	}

	// The select has deregistered the keys of the connections in "closing": they close
	// now. Then the new connections are taken.
	private void afterSelect() {
		for (Draining draining : this.closing) {
			draining.connection.drainEnded(draining.end());
		}
		this.closing.clear();
		registerArrivals();
	}

	private void registerArrivals() {
		long deadline = System.nanoTime() + this.lingerNanos;
		int arrivals = 0;
		GreetingConnection connection;
		while ((connection = this.arriving.poll()) != null) {
			arrivals++;
			connection.logEstablished();
			try {
				SocketChannel channel = connection.channel();
				channel.configureBlocking(false);
				// Many clients have closed by now: one read ends them without ever
				// registering with the selector.
				Exception end = drain(channel);
				if (end != null) {
					connection.drainEnded(end);
					continue;
				}
				Draining draining = new Draining(connection, deadline);
				draining.key = channel.register(this.selector, SelectionKey.OP_READ, draining);
				append(draining);
			}
			catch (IOException | RuntimeException ex) {
				// Closed meanwhile (the server stopping), or the client gone: as a read
				// that failed.
				connection.drainEnded(ConnectionEnd.aborted(ex));
			}
		}
		this.waiting.addAndGet(-arrivals);
		this.lastArrivals = arrivals;
	}

	private void readable(SelectionKey key) {
		Exception end = drain((SocketChannel) key.channel());
		if (end != null) {
			end((Draining) key.attachment(), end);
		}
	}

	// Reads what the client sent, up to a turn's worth. Returns how the connection ended
	// (the client's close, or a failed read), or null while it goes on.
	private @Nullable Exception drain(SocketChannel channel) {
		try {
			for (int i = 0; i < MAX_READS_PER_TURN; i++) {
				this.discard.clear();
				int read = channel.read(this.discard);
				if (read < 0) {
					return ConnectionEnd.CLOSED_BY_CLIENT;
				}
				if (read == 0) {
					return null;
				}
			}
			return null; // more to read at the next turn
		}
		catch (IOException ex) {
			return ConnectionEnd.aborted(ex);
		}
	}

	private void expire(long now) {
		Draining first = this.oldest;
		while (first != null && now - first.deadline >= 0) {
			// As the blocking drain reports it: a read that timed out.
			end(first, ConnectionEnd.lingerEnded(this.lingerProperty));
			first = this.oldest;
		}
	}

	// Closed after the next select (afterSelect), which deregisters it.
	private void end(Draining draining, Exception cause) {
		unlink(draining);
		SelectionKey key = draining.key;
		if (key != null) {
			key.cancel();
		}
		draining.end = cause;
		this.ended.add(draining);
	}

	private void closeAll() {
		// Ended before the stop: reported as they ended, not as the stop's.
		for (List<Draining> ended : List.of(this.closing, this.ended)) {
			for (Draining draining : ended) {
				draining.connection.drainEnded(draining.end());
			}
			ended.clear();
		}
		GreetingConnection arrived;
		while ((arrived = this.arriving.poll()) != null) {
			arrived.logEstablished(); // greeted: logged as every greeted connection is
			arrived.close();
		}
		while (this.oldest != null) {
			Draining draining = this.oldest;
			unlink(draining);
			draining.connection.close();
		}
		try {
			this.selector.close();
		}
		catch (IOException ex) {
			// nothing more to release
		}
	}

	private void append(Draining draining) {
		Draining last = this.newest;
		draining.previous = last;
		if (last != null) {
			last.next = draining;
		}
		else {
			this.oldest = draining;
		}
		this.newest = draining;
	}

	private void unlink(Draining draining) {
		Draining previous = draining.previous;
		Draining next = draining.next;
		if (previous != null) {
			previous.next = next;
		}
		else if (this.oldest == draining) {
			this.oldest = next;
		}
		if (next != null) {
			next.previous = previous;
		}
		else if (this.newest == draining) {
			this.newest = previous;
		}
		draining.previous = null;
		draining.next = null;
	}

	/**
	 * A connection being drained, and its place in the linger order.
	 */
	private static final class Draining {

		final GreetingConnection connection;

		final long deadline;

		@Nullable SelectionKey key;

		// How it ended, once it has.
		@Nullable Exception end;

		@Nullable Draining previous;

		@Nullable Draining next;

		Draining(GreetingConnection connection, long deadline) {
			this.connection = connection;
			this.deadline = deadline;
		}

		Exception end() {
			Exception end = this.end;
			if (end == null) {
				throw new IllegalStateException("a connection closed before it ended");
			}
			return end;
		}

	}

}
