package dev.greeter.client;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.greeter.support.LineBreaks;

/**
 * What one connection's outcome means: a greeting (as text, its final line ending
 * dropped), or a failure. A reply that is not text, or a greeting that does not match
 * {@code greeter.client.expect}, is a failure.
 *
 * @param greeting the greeting, or {@code null}
 * @param failure why the connection failed, or {@code null}
 * @author tcp-greeter team
 */
record Verdict(@Nullable String greeting, @Nullable ClientFailure failure) {

	/**
	 * Judge an outcome.
	 * @param outcome the reply's bytes or a {@link ClientFailure}
	 * @param properties what the client was asked to accept
	 * @return the verdict; a mismatched greeting has both its text and its failure
	 */
	static Verdict of(Object outcome, ClientProperties properties) {
		Pattern expected = properties.expect();
		if (outcome instanceof ClientFailure failure) {
			return new Verdict(null, failure);
		}
		if (!(outcome instanceof byte[] bytes)) {
			throw new IllegalArgumentException("Unexpected outcome " + outcome);
		}
		String problem = ReplyCheck.problem(bytes, properties.target());
		if (problem != null) {
			return new Verdict(null, new ClientFailure(FailureKind.NOT_TEXT, problem));
		}
		String greeting = LineBreaks.withoutFinal(new String(bytes, StandardCharsets.UTF_8));
		if (expected != null && !expected.matcher(greeting).find()) {
			return new Verdict(greeting, new ClientFailure(FailureKind.MISMATCH, "greeting does not match "
					+ "greeter.client.expect '" + expected.pattern() + "': " + abbreviate(escape(greeting))));
		}
		return new Verdict(greeting, null);
	}

	static String escape(String text) {
		return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
	}

	static String abbreviate(String text) {
		return (text.length() <= 200) ? text : text.substring(0, 200) + "...";
	}

}
