package dev.greeter.client;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the client prints and the status it exits with. Greetings go to standard output,
 * exactly as received (one trailing line ending aside); failures go to standard error,
 * one line each.
 *
 * @author tcp-greeter team
 */
final class GreetingReport {

	static final String PROGRAM = "tcp-greeter";

	private final ClientProperties properties;

	private final PrintStream out;

	private final PrintStream err;

	private final Map<String, Integer> distinct = new LinkedHashMap<>();

	private final Map<FailureKind, List<ClientFailure>> failures = new EnumMap<>(FailureKind.class);

	private int greetings;

	GreetingReport(ClientProperties properties, PrintStream out, PrintStream err) {
		this.properties = properties;
		this.out = out;
		this.err = err;
	}

	/**
	 * Record one connection's outcome, printing it at once unless a summary was asked
	 * for.
	 * @param outcome the greeting bytes or a {@link ClientFailure}
	 */
	void record(Object outcome) {
		Verdict verdict = Verdict.of(outcome, this.properties);
		if (verdict.greeting() != null) {
			recordGreeting(verdict.greeting());
		}
		if (verdict.failure() != null) {
			recordFailure(verdict.failure());
		}
	}

	private void recordGreeting(String greeting) {
		this.greetings++;
		if (this.properties.summary()) {
			this.distinct.merge(greeting, 1, Integer::sum);
		}
		else {
			this.out.print(greeting + "\n");
			this.out.flush();
		}
	}

	private void recordFailure(ClientFailure failure) {
		this.failures.computeIfAbsent(failure.kind(), (kind) -> new ArrayList<>()).add(failure);
		if (!this.properties.summary()) {
			this.err.println(PROGRAM + ": " + failure.message());
		}
	}

	/**
	 * Print what is printed at the end: the summary table, if asked for, and a count of
	 * failures.
	 */
	void finish() {
		if (this.properties.summary()) {
			printSummary();
		}
		int failed = failedConnections();
		if (failed > 0 && this.properties.count() > 1) {
			this.err.println(PROGRAM + ": " + failed + " of " + this.properties.count() + " connections failed");
		}
		this.out.flush();
		this.err.flush();
	}

	private void printSummary() {
		printShares(this.out, this.distinct, this.greetings);
		this.failures.forEach((kind, list) -> this.err.println(PROGRAM + ": " + list.size() + " x "
				+ kind.name().toLowerCase(Locale.ROOT) + ", for example: " + list.get(0).message()));
	}

	private int failedConnections() {
		// A mismatched greeting is a connection that failed too; it was counted once
		// among the greetings.
		return this.failures.values().stream().mapToInt(List::size).sum();
	}

	/**
	 * The exit status: 0 when every connection gave an acceptable greeting, otherwise the
	 * lowest status of the failures seen.
	 * @return the status
	 */
	int exitCode() {
		return this.failures.keySet().stream().mapToInt(FailureKind::exitCode).min().orElse(0);
	}

	/**
	 * The table of distinct greetings, the most frequent first: count, share and the
	 * greeting, escaped to one line.
	 * @param out where it goes
	 * @param counts each greeting's count
	 * @param total what the shares are of
	 */
	static void printShares(PrintStream out, Map<String, ? extends Number> counts, long total) {
		out.println(" count   share  greeting");
		counts.entrySet()
			.stream()
			.sorted((a, b) -> Long.compare(b.getValue().longValue(), a.getValue().longValue()))
			.forEach((entry) -> out.printf(Locale.ROOT, "%6d  %5.1f%%  %s%n", entry.getValue().longValue(),
					100.0 * entry.getValue().longValue() / Math.max(1, total), Verdict.escape(entry.getKey())));
	}

}
