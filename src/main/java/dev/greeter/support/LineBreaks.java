package dev.greeter.support;

/**
 * The one final line break of a text, as {@code $(...)} in a shell drops it: a greeting
 * file written by an editor ends with one, and a greeting on the wire ends with its line
 * ending; neither is part of the greeting.
 *
 * @author tcp-greeter team
 */
public final class LineBreaks {

	private LineBreaks() {
	}

	/**
	 * The text without one final {@code \r\n} or {@code \n}.
	 * @param text the text
	 * @return the text, its final line break dropped when it has one
	 */
	public static String withoutFinal(String text) {
		if (text.endsWith("\r\n")) {
			return text.substring(0, text.length() - 2);
		}
		return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
	}

}
