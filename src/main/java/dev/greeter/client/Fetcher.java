package dev.greeter.client;

import java.util.function.Consumer;

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

}
