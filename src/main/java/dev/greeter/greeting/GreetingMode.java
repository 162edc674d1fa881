package dev.greeter.greeting;

/**
 * What the server sends ({@code greeter.mode}).
 *
 * @author tcp-greeter team
 */
public enum GreetingMode {

	/** The configured greeting, with its line ending. */
	GREETING,

	/**
	 * RFC 865 Quote of the Day: the configured greeting, every line ended with CRLF; a
	 * warning when it is not what the RFC asks for (at most 512 characters of printable
	 * ASCII).
	 */
	QOTD,

	/**
	 * RFC 867 Daytime: the current date and time in UTC, one human-readable line such as
	 * {@code Tuesday, November 24, 2026 09:30:00-UTC}.
	 */
	DAYTIME

}
