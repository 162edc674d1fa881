package dev.greeter.greeting;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * A greeting as it goes on the wire: UTF-8 text followed by its line ending, encoded
 * once.
 *
 * @author tcp-greeter team
 */
public final class Greeting {

	private final String text;

	private final LineEnding lineEnding;

	// Encoded once at start-up: every connection writes the same array, so a greeting
	// costs no encoding and no allocation per connection.
	private final byte[] bytes;

	private Greeting(String text, LineEnding lineEnding) {
		this.text = text;
		this.lineEnding = lineEnding;
		this.bytes = (text + lineEnding.terminator()).getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Create the greeting for a text and a line ending.
	 * @param text the greeting text, not empty
	 * @param lineEnding what follows the text
	 * @return the greeting
	 */
	public static Greeting of(String text, LineEnding lineEnding) {
		if (text.isEmpty()) {
			throw new IllegalArgumentException("A greeting must not be empty");
		}
		return new Greeting(text, lineEnding);
	}

	/**
	 * The number of bytes that a greeting of this text and line ending takes on the wire.
	 * @param text the greeting text
	 * @param lineEnding what follows the text
	 * @return the size in bytes
	 */
	public static int sizeOnWire(String text, LineEnding lineEnding) {
		return (text + lineEnding.terminator()).getBytes(StandardCharsets.UTF_8).length;
	}

	/**
	 * The greeting text, without its line ending.
	 * @return the text
	 */
	public String text() {
		return this.text;
	}

	/**
	 * The line ending written after the text.
	 * @return the line ending
	 */
	public LineEnding lineEnding() {
		return this.lineEnding;
	}

	/**
	 * The bytes on the wire. The array is shared and must not be modified.
	 * @return the encoded greeting
	 */
	public byte[] bytes() {
		return this.bytes;
	}

	/**
	 * The size of the greeting on the wire.
	 * @return the number of bytes
	 */
	public int size() {
		return this.bytes.length;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return other instanceof Greeting that && Arrays.equals(this.bytes, that.bytes);
	}

	@Override
	public int hashCode() {
		return Arrays.hashCode(this.bytes);
	}

	@Override
	public String toString() {
		return "Greeting[" + this.size() + " bytes, " + this.lineEnding + "]";
	}

}
