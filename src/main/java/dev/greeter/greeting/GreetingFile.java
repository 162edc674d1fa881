package dev.greeter.greeting;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.greeter.support.LineBreaks;

/**
 * Reads a greeting file ({@code greeter.greeting-file}): UTF-8 text, whose one final line
 * break is dropped (editors add one; the line ending is {@code greeter.line-ending}'s
 * job).
 *
 * @author tcp-greeter team
 */
final class GreetingFile {

	private GreetingFile() {
	}

	/**
	 * Read the file's bytes, refusing one far larger than any greeting may be before
	 * reading it.
	 * @param path the file
	 * @param maxGreetingSize the largest greeting allowed
	 * @return the bytes
	 * @throws InvalidGreetingException if it cannot be read, or is too large
	 */
	static byte[] read(Path path, long maxGreetingSize) {
		try {
			long size = Files.size(path);
			if (size > maxGreetingSize + 2) {
				throw new InvalidGreetingException("the file is " + size
						+ " bytes, more than greeter.max-greeting-size (" + maxGreetingSize + " bytes)");
			}
			return Files.readAllBytes(path);
		}
		catch (IOException ex) {
			throw new InvalidGreetingException(
					"cannot read it (" + ex.getClass().getSimpleName() + ": " + ex.getMessage() + ")");
		}
	}

	/**
	 * The greeting text in a file's bytes.
	 * @param bytes the bytes
	 * @return the text, without its final line break
	 * @throws InvalidGreetingException if the bytes are not UTF-8
	 */
	static String text(byte[] bytes) {
		String text;
		try {
			text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
		}
		catch (CharacterCodingException ex) {
			throw new InvalidGreetingException("the file is not UTF-8 text");
		}
		return LineBreaks.withoutFinal(text);
	}

}
