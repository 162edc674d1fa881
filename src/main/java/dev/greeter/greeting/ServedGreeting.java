package dev.greeter.greeting;

/**
 * The greeting being served, and where it came from.
 *
 * @param template the compiled greeting
 * @param sha256 the SHA-256 of its source, in hex: of the file's bytes for
 * {@code greeter.greeting-file} (what {@code sha256sum} prints), of the UTF-8 text for
 * {@code greeter.greeting}
 * @param origin where it came from: a file path, {@code greeter.greeting}, or
 * {@code daytime}
 * @param mode the mode it is served in
 * @author tcp-greeter team
 */
public record ServedGreeting(GreetingTemplate template, String sha256, String origin, GreetingMode mode) {

	/**
	 * The first 12 hex digits of the hash, as the metrics tag it: enough to tell rollouts
	 * apart, short enough to read.
	 * @return the short hash
	 */
	public String shortSha256() {
		return this.sha256.substring(0, 12);
	}

}
