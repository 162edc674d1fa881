package dev.greeter.greeting;

/**
 * The bytes written after the greeting text ({@code greeter.line-ending}).
 *
 * @author tcp-greeter team
 */
public enum LineEnding {

	/** Carriage return and line feed, as RFC 865 and telnet expect. */
	CRLF("\r\n"),

	/** A single line feed. */
	LF("\n"),

	/** Nothing: the close of the connection ends the greeting. */
	NONE("");

	private final String terminator;

	LineEnding(String terminator) {
		this.terminator = terminator;
	}

	/**
	 * The characters written after the greeting text.
	 * @return the terminator, empty for {@link #NONE}
	 */
	public String terminator() {
		return this.terminator;
	}

}
