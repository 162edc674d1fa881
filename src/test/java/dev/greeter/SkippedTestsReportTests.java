package dev.greeter;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * A test that skips says so on the console, with its reason, and the run ends with one
 * line listing every skipped test: the tests of a small sample class are run through the
 * JUnit Platform as the build runs them.
 */
class SkippedTestsReportTests {

	@Test
	void eachSkippedTestIsNamedWithItsReasonAndTheRunEndsWithOneLineListingThem() {
		ByteArrayOutputStream console = new ByteArrayOutputStream();
		LauncherConfig config = LauncherConfig.builder()
			.enableTestExecutionListenerAutoRegistration(false)
			.addTestExecutionListeners(new SkippedTestsReport(new PrintStream(console, true, StandardCharsets.UTF_8)))
			.build();
		Launcher launcher = LauncherFactory.create(config);
		LauncherDiscoveryRequest request = request().selectors(selectClass(Sample.class)).build();
		SummaryGeneratingListener summary = new SummaryGeneratingListener();
		launcher.execute(request, summary);

		assertThat(summary.getSummary().getTestsSucceededCount()).isEqualTo(1);
		assertThat(console.toString(StandardCharsets.UTF_8))
			.contains("[SKIPPED] Sample.needsATool: haproxy is not available: apt-get install haproxy\n")
			.contains("[SKIPPED] Sample.disabled: not on this machine\n")
			.contains("[SKIPPED] 2 test(s) did not run: Sample.needsATool (haproxy is not available: apt-get install "
					+ "haproxy); Sample.disabled (not on this machine)\n")
			.doesNotContain("Sample.runs");
	}

	static class Sample {

		@Test
		void runs() {
		}

		@Test
		void needsATool() {
			Assumptions.assumeTrue(false, "haproxy is not available: apt-get install haproxy");
		}

		@Test
		@Disabled("not on this machine")
		void disabled() {
		}

	}

}
