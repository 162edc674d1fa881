package dev.greeter.proxy;

import java.io.IOException;

/**
 * A connection that did not start with a valid PROXY protocol header. Without a stack
 * trace: it describes the client, not a fault in the server, and it is never printed.
 *
 * @author tcp-greeter team
 */
public final class InvalidProxyHeaderException extends IOException {

	private final Reason reason;

	InvalidProxyHeaderException(Reason reason, String message) {
		super(message);
		this.reason = reason;
	}

	/**
	 * What was wrong, as a metric tag.
	 * @return the reason
	 */
	public Reason reason() {
		return this.reason;
	}

	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

	/**
	 * Why a header was refused.
	 */
	public enum Reason {

		/** The connection started with something else, or with nothing at all. */
		MISSING("missing"),

		/** The bytes began like a header but broke its grammar. */
		MALFORMED("malformed"),

		/** The client closed in the middle of a header. */
		TRUNCATED("truncated"),

		/** The header was larger than the server accepts. */
		TOO_LARGE("too_large"),

		/** A header was begun but not finished within the timeout. */
		TIMEOUT("timeout");

		private final String tag;

		Reason(String tag) {
			this.tag = tag;
		}

		/**
		 * The reason as a metric tag value.
		 * @return the tag value
		 */
		public String tag() {
			return this.tag;
		}

	}

}
