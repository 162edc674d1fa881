package dev.greeter.client;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Fetches greetings as configured and hands over each outcome as it arrives.
 *
 * @author tcp-greeter team
 */
interface Fetcher {

	/**
	 * Fetch as configured and report every outcome.
	 * @param consumer receives {@code byte[]} greetings and {@link ClientFailure}s, on
	 * the calling thread
	 */
	void fetch(Consumer<Object> consumer);

	/**
	 * The client's worker threads: daemons, so that a worker stuck in a connect the
	 * timeout has not ended yet never keeps the process from exiting with its status.
	 * @param count how many
	 * @param name the threads' name prefix
	 * @return a pool of that many
	 */
	static ExecutorService workers(int count, String name) {
		CustomizableThreadFactory threads = new CustomizableThreadFactory(name + "-");
		threads.setDaemon(true);
		return Executors.newFixedThreadPool(count, threads);
	}

}
