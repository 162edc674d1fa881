package dev.greeter.server;

import java.io.IOException;
import java.util.Locale;

/**
 * Why accepting a connection failed, named after the errno the kernel gave: a short,
 * fixed vocabulary for the {@code kind} tag of {@code greeter_accept_errors_total}. Every
 * one of them is transient for a listening socket that is still open, as nginx treats
 * them: the loop backs off and accepts again.
 *
 * @author tcp-greeter team
 */
public enum AcceptFailure {

	/** The process is out of file descriptors ({@code ulimit -n}). */
	EMFILE("too many open files"),

	/** The whole system is out of file descriptors. */
	ENFILE("too many open files in system"),

	/** The kernel is out of socket buffers. */
	ENOBUFS("no buffer space"),

	/** The kernel is out of memory for the new socket. */
	ENOMEM("cannot allocate memory"),

	/** The client gave up before the connection was taken. */
	ECONNABORTED("connection abort"),

	/** Anything else, the listening socket still open. */
	OTHER("");

	private final String message;

	AcceptFailure(String message) {
		this.message = message;
	}

	/**
	 * The tag value.
	 * @return the lower-case name
	 */
	public String tag() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * Classify a failed accept by the JDK's message, which is the C library's
	 * {@code strerror} text.
	 * @param failure what {@code accept} threw
	 * @return the kind
	 */
	public static AcceptFailure of(IOException failure) {
		String message = (failure.getMessage() != null) ? failure.getMessage().toLowerCase(Locale.ROOT) : "";
		// ENFILE's text contains EMFILE's: test the longer one first.
		if (message.contains(ENFILE.message)) {
			return ENFILE;
		}
		for (AcceptFailure kind : values()) {
			if (kind != OTHER && message.contains(kind.message)) {
				return kind;
			}
		}
		return OTHER;
	}

}
