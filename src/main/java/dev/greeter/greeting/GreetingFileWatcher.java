package dev.greeter.greeting;

import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Reloads the greeting file when its content changes.
 * <p>
 * Why polling and not a {@code WatchService}: Kubernetes updates a mounted ConfigMap by
 * swapping a symbolic link to a new directory, which a watch on the file never sees, and
 * a file of at most {@code greeter.max-greeting-size} costs nothing to read every few
 * seconds. A file that cannot be read or served leaves the current greeting in place and
 * is reported once, not at every poll. One poller serves every listener's file.
 *
 * @author tcp-greeter team
 */
final class GreetingFileWatcher implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(GreetingFileWatcher.class);

	private final Supplier<List<Watched>> files;

	private final Duration interval;

	private List<Watched> watched = List.of();

	private @Nullable ScheduledExecutorService poller;

	GreetingFileWatcher(Supplier<List<Watched>> files, Duration interval) {
		this.files = files;
		this.interval = interval;
	}

	@Override
	public void start() {
		// Every listener's greeting has been compiled by now: the beans are all made.
		this.watched = this.files.get();
		if (this.watched.isEmpty()) {
			return; // every greeting comes from a property
		}
		CustomizableThreadFactory threads = new CustomizableThreadFactory("greeter-greeting-file-");
		threads.setDaemon(true);
		ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(threads);
		long millis = this.interval.toMillis();
		poller.scheduleWithFixedDelay(this::check, millis, millis, TimeUnit.MILLISECONDS);
		this.poller = poller;
	}

	@Override
	public void stop() {
		ScheduledExecutorService poller = this.poller;
		if (poller != null) {
			poller.shutdownNow();
			this.poller = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.poller != null;
	}

	/**
	 * Look at every file once, and serve the greetings that changed.
	 */
	void check() {
		this.watched.forEach(Watched::check);
	}

	/**
	 * One greeting file and the greeting it feeds.
	 */
	static final class Watched {

		private final Path path;

		private final GreetingCompiler compiler;

		private final GreetingSource source;

		// Only the polling thread touches these. The hash of the last content looked at,
		// served or not: a bad file is reported once, not at every poll.
		private String seen;

		private @Nullable String readProblem;

		Watched(Path path, GreetingCompiler compiler, GreetingSource source) {
			this.path = path;
			this.compiler = compiler;
			this.source = source;
			this.seen = source.current().sha256();
		}

		void check() {
			byte[] bytes;
			try {
				bytes = GreetingFile.read(this.path, this.compiler.maxGreetingSize());
			}
			catch (InvalidGreetingException ex) {
				String problem = ex.getMessage();
				if (!problem.equals(this.readProblem)) {
					this.readProblem = problem;
					reject(problem);
				}
				return;
			}
			this.readProblem = null;
			String sha256 = GreetingCompiler.sha256(bytes);
			if (sha256.equals(this.seen)) {
				return;
			}
			this.seen = sha256;
			try {
				ServedGreeting greeting = this.compiler.compile(this.path, bytes);
				this.source.serve(greeting);
				logger.info("Greeting reloaded from {} (sha256 {}, up to {} bytes)", this.path, greeting.shortSha256(),
						greeting.template().maxSize());
			}
			catch (InvalidGreetingException ex) {
				reject(ex.getMessage());
			}
			catch (RuntimeException ex) {
				// A bug must not end the polling: the next change gets its chance.
				logger.error("Greeting file {} not reloaded", this.path, ex);
			}
		}

		private void reject(String problem) {
			logger.error("Greeting file {} not reloaded, still serving sha256 {}: {}", this.path,
					this.source.current().shortSha256(), problem);
			this.source.reloadFailed(problem);
		}

	}

}
