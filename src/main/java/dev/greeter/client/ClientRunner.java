package dev.greeter.client;

import java.io.PrintStream;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;

/**
 * Runs the client once the context is up: fetch, print, and remember the exit status for
 * {@code SpringApplication.exit}.
 *
 * @author tcp-greeter team
 */
final class ClientRunner implements ApplicationRunner, ExitCodeGenerator {

	private final Fetcher fetcher;

	private final WatchRunner watch;

	private final ClientProperties properties;

	private volatile int exitCode;

	ClientRunner(Fetcher fetcher, WatchRunner watch, ClientProperties properties) {
		this.fetcher = fetcher;
		this.watch = watch;
		this.properties = properties;
	}

	@Override
	public void run(ApplicationArguments args) {
		// Looked up at run time, not construction time, so that a test capturing the
		// output sees it.
		PrintStream out = System.out;
		PrintStream err = System.err;
		if (this.properties.watching()) {
			this.exitCode = this.watch.run(out, err, WatchRunner.standardErrorIsTerminal());
			return;
		}
		GreetingReport report = new GreetingReport(this.properties, out, err);
		this.fetcher.fetch(report::record);
		report.finish();
		this.exitCode = report.exitCode();
	}

	@Override
	public int getExitCode() {
		return this.exitCode;
	}

}
