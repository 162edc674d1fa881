package dev.greeter;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Says on the console which tests did not run and why: one line as each is skipped, and
 * one line at the end of the run listing them all. Without it a missing Prometheus,
 * HAProxy or container engine showed only as "Skipped: 1" among the counts, with the
 * install hint buried in the XML reports. Registered for every run through
 * {@code META-INF/services}; with {@code CI=true} those tests fail instead of skipping.
 */
public final class SkippedTestsReport implements TestExecutionListener {

	private final List<String> skipped = new ArrayList<>();

	private final @Nullable PrintStream stream;

	/**
	 * The report the build registers: on standard output.
	 */
	public SkippedTestsReport() {
		this(null);
	}

	SkippedTestsReport(@Nullable PrintStream stream) {
		this.stream = stream;
	}

	// Looked up when printing: the build tool swaps the streams around tests, and
	// QuietTestOutput holds back what goes to System.out.
	private PrintStream out() {
		return (this.stream != null) ? this.stream : QuietTestOutput.console();
	}

	@Override
	public void executionSkipped(TestIdentifier test, String reason) {
		skipped(test, reason);
	}

	@Override
	public void executionFinished(TestIdentifier test, TestExecutionResult result) {
		if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
			skipped(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
		}
	}

	@Override
	public void testPlanExecutionFinished(TestPlan plan) {
		if (!this.skipped.isEmpty()) {
			out().println(
					"[SKIPPED] " + this.skipped.size() + " test(s) did not run: " + String.join("; ", this.skipped));
		}
	}

	private void skipped(TestIdentifier test, String reason) {
		String name = name(test);
		String why = (reason != null) ? reason.replace("Assumption failed: ", "") : "skipped";
		this.skipped.add(name + " (" + why + ")");
		out().println("[SKIPPED] " + name + ": " + why);
	}

	private static String name(TestIdentifier test) {
		Optional<MethodSource> method = test.getSource()
			.filter(MethodSource.class::isInstance)
			.map(MethodSource.class::cast);
		return method.map((source) -> simple(source.getClassName()) + "." + source.getMethodName())
			.orElse(test.getDisplayName());
	}

	private static String simple(String className) {
		return className.substring(Math.max(className.lastIndexOf('.'), className.lastIndexOf('$')) + 1);
	}

}
