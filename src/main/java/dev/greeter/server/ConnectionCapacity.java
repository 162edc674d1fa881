package dev.greeter.server;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Fits {@code greeter.server.max-connections} to what this process can really hold open:
 * a connection costs a file descriptor, and on platform threads (Java 17) a thread too.
 * Without the fit, a limit above the descriptor limit ({@code ulimit -n}) is no limit:
 * the accept fails with "Too many open files" long before the server turns clients away
 * in order.
 * <p>
 * On a TLS listener a connection also costs heap while its handshake is under way: the
 * JDK reads a whole TLS record into a buffer as large as the record's header says (up to
 * 16 KiB), and a client that sends all of a record but its last byte keeps that buffer,
 * and the handshake's state, until the linger ends: 31-34 KiB a connection, measured.
 * With the image's 64 MB heap, 1,100-1,500 such clients (opened in a second from one
 * machine) ran the heap out, and the process exited (docs/BENCHMARKS.md). So a TLS
 * listener's connections may take at most half the heap, at
 * {@value #TLS_CONNECTION_HEAP_KIB} KiB each.
 * <p>
 * The default is capped, with one warning; a value set explicitly that cannot fit stops
 * start-up, naming the setting, since the operator asked for something the process cannot
 * do.
 *
 * @author tcp-greeter team
 */
final class ConnectionCapacity {

	/**
	 * Descriptors and threads kept for everything else: the actuator's connections, the
	 * log, the jar, the JVM's own.
	 */
	static final int RESERVED = 64;

	static final String PROPERTY = "greeter.server.max-connections";

	/**
	 * The heap one TLS connection may hold during a slow handshake, with a margin over
	 * the 31-34 KiB measured on Temurin 25.
	 */
	static final int TLS_CONNECTION_HEAP_KIB = 40;

	private static final Logger logger = LoggerFactory.getLogger(ConnectionCapacity.class);

	private ConnectionCapacity() {
	}

	/**
	 * What this process can hold; a limit of {@link Long#MAX_VALUE} means none is known.
	 *
	 * @param maxDescriptors the descriptor limit
	 * @param openDescriptors the descriptors open now
	 * @param maxThreads the thread limit (process count limit, cgroup pids)
	 * @param threads the threads running now
	 * @param maxHeap the most heap the JVM will use, in bytes
	 */
	record Limits(long maxDescriptors, long openDescriptors, long maxThreads, long threads, long maxHeap) {

		static Limits ofThisProcess() {
			long maxDescriptors = Long.MAX_VALUE;
			long openDescriptors = 0;
			OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
			if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
				maxDescriptors = unix.getMaxFileDescriptorCount();
				openDescriptors = unix.getOpenFileDescriptorCount();
			}
			long maxThreads = Math.min(limit("Max processes"), cgroupPids());
			return new Limits(maxDescriptors, openDescriptors, maxThreads,
					ManagementFactory.getThreadMXBean().getThreadCount(), Runtime.getRuntime().maxMemory());
		}

		// A soft limit from /proc/self/limits (Linux); none elsewhere.
		private static long limit(String name) {
			try {
				for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
					if (line.startsWith(name)) {
						String soft = line.substring(name.length()).trim().split("\\s+")[0];
						return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				// not Linux, or not readable: no known limit
			}
			return Long.MAX_VALUE;
		}

		private static long cgroupPids() {
			for (Path path : List.of(Path.of("/sys/fs/cgroup/pids.max"), Path.of("/sys/fs/cgroup/pids/pids.max"))) {
				try {
					String value = Files.readString(path).trim();
					return value.equals("max") ? Long.MAX_VALUE : Long.parseLong(value);
				}
				catch (IOException | RuntimeException ex) {
					// no such cgroup controller here
				}
			}
			return Long.MAX_VALUE;
		}

	}

	/**
	 * The number of connections one listener may serve at once.
	 * @param property the setting, for messages
	 * @param requested its value
	 * @param shares how many TCP listeners share what the process can hold: each gets an
	 * equal part
	 * @param explicit whether it was set, rather than left at its default
	 * @param platformThreads whether each connection takes a platform thread
	 * @param tls whether the listener speaks TLS, whose handshakes hold heap
	 * @param limits what the process can hold
	 * @return {@code requested}, or less when it cannot fit and was not set explicitly
	 * @throws InvalidConfigurationPropertyValueException when an explicit value cannot
	 * fit, or nothing can
	 */
	static int fit(String property, int requested, int shares, boolean explicit, boolean platformThreads, boolean tls,
			Limits limits) {
		String shared = (shares > 1) ? ", shared by " + shares + " TCP listeners" : "";
		List<Bound> bounds = new ArrayList<>();
		long descriptors = room(limits.maxDescriptors(), limits.openDescriptors()) / shares;
		bounds.add(new Bound(descriptors, String.format(Locale.ROOT,
				"this process can open %d more file descriptors%s (limit %d, the soft ulimit -n or the container's "
						+ "nofile; %d open, %d kept for the rest of the process)",
				descriptors, shared, limits.maxDescriptors(), limits.openDescriptors(), RESERVED)));
		if (platformThreads) {
			long threads = room(limits.maxThreads(), limits.threads()) / shares;
			bounds.add(new Bound(threads, String.format(Locale.ROOT,
					"on platform threads (Java 17, or virtual threads off) each connection takes a thread, and this "
							+ "process can start %d more%s (limit %d, ulimit -u or the cgroup's pids.max; %d running, "
							+ "%d kept)",
					threads, shared, limits.maxThreads(), limits.threads(), RESERVED)));
		}
		if (tls && limits.maxHeap() != Long.MAX_VALUE) {
			long heap = limits.maxHeap() / 2 / (TLS_CONNECTION_HEAP_KIB * 1024L) / shares;
			bounds.add(new Bound(heap, String.format(Locale.ROOT,
					"a TLS connection can hold about %d KiB of heap while its handshake is slow, and half of this "
							+ "JVM's heap (%d MiB of %d)%s fits %d; give the JVM more heap (-Xmx, or "
							+ "-XX:MaxRAMPercentage with a larger memory limit)",
					TLS_CONNECTION_HEAP_KIB, limits.maxHeap() / 2 / (1024 * 1024), limits.maxHeap() / (1024 * 1024),
					shared, heap)));
		}
		// The first of the tightest bounds says why.
		Bound tightest = bounds.stream().min(Comparator.comparingLong(Bound::connections)).orElseThrow();
		if (tightest.connections() >= requested) {
			return requested;
		}
		int capacity = (int) tightest.connections();
		String reason = tightest.reason();
		if (capacity < 1 || explicit) {
			throw new InvalidConfigurationPropertyValueException(property, requested,
					"more connections than fit: " + reason + "; lower it, or raise the limit");
		}
		logger.warn("{}={} does not fit: {}; serving at most {} connections at once. Raise the limit to serve more.",
				property, requested, reason, capacity);
		return capacity;
	}

	// What one limit lets a listener hold, and how to say so.
	private record Bound(long connections, String reason) {
	}

	private static long room(long limit, long used) {
		if (limit == Long.MAX_VALUE) {
			return Integer.MAX_VALUE;
		}
		return Math.max(0, limit - used - RESERVED);
	}

}
