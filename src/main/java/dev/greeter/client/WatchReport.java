package dev.greeter.client;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.json.JsonWriter;

/**
 * What watch mode tells: a line (or a JSON object) per interval, one per failed
 * connection in JSON, and a summary at the end, with the exit status. Everything is
 * counts and histograms: its memory does not grow with the connections made. Distinct
 * greetings are counted up to {@value #MAX_DISTINCT}; more are counted together as other
 * greetings. Outcomes are attributed to the interval in which they completed. The
 * summary's counts add up: started = succeeded + failed, since the run waits for every
 * connection it started.
 *
 * @author tcp-greeter team
 */
final class WatchReport {

	static final int MAX_DISTINCT = 1000;

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
		.withZone(ZoneOffset.UTC);

	private static final JsonWriter<Object> JSON = JsonWriter.standard();

	private final ClientProperties properties;

	private final PrintStream out;

	private final PrintStream err;

	private final boolean json;

	private final Instant startInstant;

	private final long startNanos;

	private final Totals total = new Totals();

	private Totals interval = new Totals();

	private final Map<String, Long> distinct = new LinkedHashMap<>();

	private long otherGreetings;

	private final LatencyHistogram connect = new LatencyHistogram();

	private final LatencyHistogram greeting = new LatencyHistogram();

	private final Map<FailureKind, String> firstFailure = new EnumMap<>(FailureKind.class);

	private long skipped;

	private long lastSuccessNanos;

	private long longestGapNanos = -1;

	private long gapStartNanos;

	private long gapEndNanos;

	private @Nullable String progress;

	private long firstFailureNanos;

	private long lastFailureNanos;

	WatchReport(ClientProperties properties, PrintStream out, PrintStream err, Instant startInstant, long startNanos) {
		this.properties = properties;
		this.out = out;
		this.err = err;
		this.json = properties.format() == ClientProperties.Format.JSON;
		this.startInstant = startInstant;
		this.startNanos = startNanos;
		this.lastSuccessNanos = startNanos;
	}

	synchronized void started() {
		this.total.started++;
		this.interval.started++;
	}

	/**
	 * A connection that was due but not started: all the slots were busy.
	 */
	synchronized void skipped() {
		this.skipped++;
	}

	/**
	 * One connection ended.
	 * @param verdict its outcome
	 * @param connectNanos how long connecting took, or a negative number when it did not
	 * connect (or for UDP)
	 * @param totalNanos how long the whole greeting took
	 * @param now when it ended, in {@link System#nanoTime()} terms
	 */
	synchronized void completed(Verdict verdict, long connectNanos, long totalNanos, long now) {
		if (connectNanos >= 0) {
			this.connect.record(connectNanos);
		}
		ClientFailure failure = verdict.failure();
		if (failure != null) {
			if (this.total.failedCount() == 0) {
				this.firstFailureNanos = now;
			}
			this.lastFailureNanos = now;
			this.total.failed(failure.kind());
			this.interval.failed(failure.kind());
			this.firstFailure.putIfAbsent(failure.kind(), failure.message());
			this.interval.firstFailure.putIfAbsent(failure.kind(), failure.message());
			if (this.json) {
				Map<String, Object> line = new LinkedHashMap<>();
				line.put("type", "failure");
				line.put("time", this.startInstant.plusNanos(now - this.startNanos).toString());
				line.put("kind", kind(failure.kind()));
				line.put("message", failure.message());
				println(JSON.writeToString(line));
			}
			return;
		}
		String text = verdict.greeting();
		this.greeting.record(totalNanos);
		this.total.succeeded++;
		this.interval.succeeded++;
		if (this.distinct.containsKey(text) || this.distinct.size() < MAX_DISTINCT) {
			this.distinct.merge(text, 1L, Long::sum);
			this.interval.greetings.merge(text, 1L, Long::sum);
		}
		else {
			this.otherGreetings++;
			this.interval.otherGreetings++;
		}
		gap(now);
	}

	private void gap(long now) {
		gapEndsAt(now);
		this.lastSuccessNanos = now;
	}

	// The time since the last success, if it is the longest yet.
	private void gapEndsAt(long now) {
		long gap = now - this.lastSuccessNanos;
		if (gap > this.longestGapNanos) {
			this.longestGapNanos = gap;
			this.gapStartNanos = this.lastSuccessNanos;
			this.gapEndNanos = now;
		}
	}

	/**
	 * Report the interval that ends now, and start the next.
	 * @param now the time, in {@link System#nanoTime()} terms
	 */
	synchronized void endInterval(long now) {
		Totals ended = this.interval;
		this.interval = new Totals();
		Instant time = this.startInstant.plusNanos(now - this.startNanos);
		if (this.json) {
			Map<String, Object> line = new LinkedHashMap<>();
			line.put("type", "interval");
			line.put("time", time.toString());
			line.put("started", ended.started);
			line.put("succeeded", ended.succeeded);
			line.put("failed", ended.failedCount());
			line.put("failures", kinds(ended.failures));
			line.put("greetings", greetings(ended.greetings, ended.otherGreetings));
			println(JSON.writeToString(line));
			return;
		}
		StringBuilder line = new StringBuilder(TIME.format(time)).append("  ok ")
			.append(ended.succeeded)
			.append("  failed ")
			.append(ended.failedCount());
		if (ended.failedCount() > 0) {
			line.append(" (").append(describe(ended.failures)).append(')');
		}
		line.append("  greetings ").append(ended.greetings.size() + ((ended.otherGreetings > 0) ? 1 : 0));
		StringJoiner seen = new StringJoiner(", ", ": ", "");
		seen.setEmptyValue("");
		ended.greetings.entrySet()
			.stream()
			.limit(5)
			.forEach((entry) -> seen.add(entry.getValue() + " x " + shorten(entry.getKey())));
		if (ended.greetings.size() > 5) {
			seen.add("and " + (ended.greetings.size() - 5) + " more");
		}
		println(line.append(seen).toString());
		ended.firstFailure.forEach((kind, message) -> {
			clearProgress();
			this.err.println(GreetingReport.PROGRAM + ": " + message);
		});
	}

	/**
	 * Overwrite the progress line on standard error (a terminal only).
	 * @param now the time, in {@link System#nanoTime()} terms
	 */
	synchronized void progress(long now) {
		double elapsed = (now - this.startNanos) / 1e9;
		this.progress = String.format(Locale.ROOT, "watching %s: %.1f of %d s, %d ok, %d failed",
				this.properties.target(), elapsed, this.properties.duration().toSeconds(), this.total.succeeded,
				this.total.failedCount());
		this.err.print("\r" + this.progress + "\u001b[K");
		this.err.flush();
	}

	private void println(String line) {
		clearProgress();
		this.out.println(line);
		this.out.flush();
		if (this.progress != null) {
			this.err.print(this.progress + "\u001b[K");
			this.err.flush();
		}
	}

	private void clearProgress() {
		if (this.progress != null) {
			this.err.print("\r\u001b[K");
			this.err.flush();
		}
	}

	/**
	 * Report the summary.
	 * @param now when the run ended, in {@link System#nanoTime()} terms
	 * @param stopped whether a signal ended the run before its duration: the summary says
	 * so, and has no exit status, since the process exits as terminated by the signal
	 * @return the exit status the summary's counts give
	 */
	synchronized int finish(long now, boolean stopped) {
		if (this.interval.started > 0 || this.interval.failedCount() > 0 || this.interval.succeeded > 0) {
			endInterval(now);
		}
		clearProgress();
		this.progress = null;
		// A run that ends in an outage: the gap lasts to the end.
		gapEndsAt(now);
		double seconds = (now - this.startNanos) / 1e9;
		if (this.json) {
			printJsonSummary(seconds, stopped);
		}
		else {
			printTextSummary(seconds, stopped);
		}
		return exitCode();
	}

	private void printTextSummary(double seconds, boolean stopped) {
		PrintStream out = this.out;
		out.printf(Locale.ROOT, "summary: %d connections to %s in %.1f s (%.1f/s): %d ok, %d failed%n",
				this.total.started, this.properties.target(), seconds, this.total.started / seconds,
				this.total.succeeded, this.total.failedCount());
		if (stopped) {
			out.printf(Locale.ROOT,
					"stopped by a signal %.1f s into the %.1f s asked (greeter.client.duration); "
							+ "the exit status is the signal's%n",
					seconds, this.properties.duration().toMillis() / 1000.0);
		}
		if (this.total.failedCount() > 0) {
			out.printf(Locale.ROOT, "failed: %s, from %s to %s%n", describe(this.total.failures),
					TIME.format(instant(this.firstFailureNanos)), TIME.format(instant(this.lastFailureNanos)));
		}
		if (this.skipped > 0) {
			out.println("not started: " + this.skipped + " (all " + this.properties.watchConcurrency()
					+ " slots busy; raise greeter.client.concurrency)");
		}
		GreetingReport.printShares(out, this.distinct, this.total.succeeded);
		if (this.otherGreetings > 0) {
			out.printf(Locale.ROOT, "%6d  %5.1f%%  (other greetings, beyond the first %d distinct)%n",
					this.otherGreetings, 100.0 * this.otherGreetings / Math.max(1, this.total.succeeded), MAX_DISTINCT);
		}
		out.println("latency         p50       p90       p99       max");
		if (this.connect.count() > 0) {
			out.println("connect  " + latencies(this.connect));
		}
		out.println("greeting " + ((this.greeting.count() > 0) ? latencies(this.greeting) : "  (no greeting arrived)"));
		out.printf(Locale.ROOT, "longest gap without a success: %s, from %s to %s%n", millis(this.longestGapNanos),
				TIME.format(instant(this.gapStartNanos)), TIME.format(instant(this.gapEndNanos)));
		this.firstFailure.forEach((kind, message) -> this.err.println(GreetingReport.PROGRAM + ": "
				+ this.total.failures.get(kind) + " x " + kind(kind) + ", for example: " + message));
		out.flush();
		this.err.flush();
	}

	private void printJsonSummary(double seconds, boolean stopped) {
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("type", "summary");
		line.put("target", this.properties.target());
		line.put("seconds", Math.round(seconds * 1000) / 1000.0);
		line.put("started", this.total.started);
		line.put("succeeded", this.total.succeeded);
		line.put("failed", this.total.failedCount());
		line.put("notStarted", this.skipped);
		line.put("failures", kinds(this.total.failures));
		if (this.total.failedCount() > 0) {
			line.put("firstFailure", instant(this.firstFailureNanos).toString());
			line.put("lastFailure", instant(this.lastFailureNanos).toString());
		}
		line.put("greetings", greetings(this.distinct, this.otherGreetings));
		line.put("connectMillis", (this.connect.count() > 0) ? percentiles(this.connect) : null);
		// null, as connectMillis is, when there is nothing to measure: zeros would be a
		// measurement that did not happen.
		line.put("greetingMillis", (this.greeting.count() > 0) ? percentiles(this.greeting) : null);
		Map<String, Object> gap = new LinkedHashMap<>();
		gap.put("millis", this.longestGapNanos / 1_000_000.0);
		gap.put("from", instant(this.gapStartNanos).toString());
		gap.put("to", instant(this.gapEndNanos).toString());
		line.put("longestGapWithoutSuccess", gap);
		line.put("stoppedBySignal", stopped);
		// The process exits with the signal's status (143, 130), not one of the counts.
		line.put("exitStatus", stopped ? null : exitCode());
		println(JSON.writeToString(line));
	}

	/**
	 * Non-zero when a connection failed, or more than {@code max-failures} did.
	 * @return the exit status
	 */
	synchronized int exitCode() {
		Integer allowed = this.properties.maxFailures();
		if (allowed != null && this.total.failedCount() <= allowed) {
			return 0;
		}
		return this.total.failures.keySet().stream().mapToInt(FailureKind::exitCode).min().orElse(0);
	}

	private Instant instant(long nanos) {
		return this.startInstant.plusNanos(nanos - this.startNanos);
	}

	private static String latencies(LatencyHistogram histogram) {
		return String.format(Locale.ROOT, "%9s %9s %9s %9s", millis(histogram.percentileNanos(50)),
				millis(histogram.percentileNanos(90)), millis(histogram.percentileNanos(99)),
				millis(histogram.maxNanos()));
	}

	private static Map<String, Object> percentiles(LatencyHistogram histogram) {
		Map<String, Object> values = new LinkedHashMap<>();
		for (double p : List.of(50.0, 90.0, 99.0)) {
			values.put("p" + (int) p, histogram.percentileNanos(p) / 1_000_000.0);
		}
		values.put("max", histogram.maxNanos() / 1_000_000.0);
		return values;
	}

	private static String millis(long nanos) {
		double ms = nanos / 1e6;
		return (ms < 10) ? String.format(Locale.ROOT, "%.2f ms", ms) : (ms < 10_000)
				? String.format(Locale.ROOT, "%.0f ms", ms) : String.format(Locale.ROOT, "%.1f s", ms / 1000);
	}

	private static Map<String, Object> kinds(Map<FailureKind, Long> failures) {
		Map<String, Object> kinds = new LinkedHashMap<>();
		failures.forEach((kind, count) -> kinds.put(kind(kind), count));
		return kinds;
	}

	private static List<Map<String, Object>> greetings(Map<String, Long> greetings, long others) {
		List<Map<String, Object>> list = new ArrayList<>();
		greetings.forEach((text, count) -> {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("greeting", text);
			entry.put("count", count);
			list.add(entry);
		});
		if (others > 0) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("greeting", null);
			entry.put("count", others);
			list.add(entry);
		}
		return list;
	}

	private static String describe(Map<FailureKind, Long> failures) {
		StringJoiner text = new StringJoiner(", ");
		failures.forEach((kind, count) -> text.add(kind(kind) + " " + count));
		return text.toString();
	}

	private static String kind(FailureKind kind) {
		return kind.name().toLowerCase(Locale.ROOT);
	}

	private static String shorten(String greeting) {
		String escaped = Verdict.escape(greeting);
		return (escaped.length() <= 40) ? escaped : escaped.substring(0, 39) + "…";
	}

	/**
	 * The counts of one interval, or of the whole run.
	 */
	private static final class Totals {

		long started;

		long succeeded;

		final Map<FailureKind, Long> failures = new EnumMap<>(FailureKind.class);

		final Map<FailureKind, String> firstFailure = new EnumMap<>(FailureKind.class);

		final Map<String, Long> greetings = new LinkedHashMap<>();

		long otherGreetings;

		void failed(FailureKind kind) {
			this.failures.merge(kind, 1L, Long::sum);
		}

		long failedCount() {
			return this.failures.values().stream().mapToLong(Long::longValue).sum();
		}

	}

}
