package dev.greeter;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Keeps a passing run quiet: what tests and the servers they start print (the ERROR lines
 * and stack traces that a negative test provokes on purpose, start-up reports, connection
 * logs) is held back, and shown only for a test that fails, after its name, so that a
 * failure still comes with everything it printed. Set
 * {@code -Dgreeter.tests.verbose=true} to see it all as it happens. Registered for every
 * run through {@code META-INF/services}, before {@link SkippedTestsReport}, which writes
 * to {@link #console()} so that a skip is always said on the console.
 */
public final class QuietTestOutput implements TestExecutionListener {

	// The tail of a long test's output is the part that explains its failure.
	private static final int KEEP_BYTES = 4 * 1024 * 1024;

	private static volatile PrintStream console = System.out;

	private final Held held = new Held();

	/**
	 * Where a line that must be seen goes (a skip, a soak's figures), past the holding.
	 * @return the console as the build tool gave it
	 */
	public static PrintStream console() {
		return console;
	}

	@Override
	public void testPlanExecutionStarted(TestPlan plan) {
		if (Boolean.getBoolean("greeter.tests.verbose")) {
			return;
		}
		console = System.out;
		PrintStream holding = new PrintStream(this.held, true, Charset.defaultCharset());
		System.setOut(holding);
		System.setErr(holding);
	}

	@Override
	public void executionFinished(TestIdentifier test, TestExecutionResult result) {
		byte[] output = this.held.take();
		if (result.getStatus() == TestExecutionResult.Status.FAILED && output.length > 0) {
			PrintStream out = console;
			out.println("---- output of " + test.getDisplayName() + " (failed; held back while tests pass) ----");
			out.write(output, 0, output.length);
			out.println("---- end of the output of " + test.getDisplayName() + " ----");
			out.flush();
		}
	}

	@Override
	public void testPlanExecutionFinished(TestPlan plan) {
		if (!Boolean.getBoolean("greeter.tests.verbose")) {
			System.setOut(console);
			System.setErr(console);
		}
	}

	/**
	 * The held output: the last {@link #KEEP_BYTES} since the last test ended, from every
	 * thread (a server's threads log into the test that started it).
	 */
	private static final class Held extends OutputStream {

		private ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		private boolean dropped;

		@Override
		public synchronized void write(int b) {
			this.bytes.write(b);
			trim();
		}

		@Override
		public synchronized void write(byte[] buffer, int offset, int length) {
			this.bytes.write(buffer, offset, length);
			trim();
		}

		private void trim() {
			if (this.bytes.size() > 2 * KEEP_BYTES) {
				byte[] all = this.bytes.toByteArray();
				this.bytes = new ByteArrayOutputStream();
				this.bytes.write(all, all.length - KEEP_BYTES, KEEP_BYTES);
				this.dropped = true;
			}
		}

		synchronized byte[] take() {
			byte[] taken = this.bytes.toByteArray();
			if (this.dropped && taken.length > 0) {
				byte[] note = "(earlier output dropped)\n".getBytes(Charset.defaultCharset());
				byte[] both = new byte[note.length + taken.length];
				System.arraycopy(note, 0, both, 0, note.length);
				System.arraycopy(taken, 0, both, note.length, taken.length);
				taken = both;
			}
			this.bytes = new ByteArrayOutputStream();
			this.dropped = false;
			return taken;
		}

	}

}
