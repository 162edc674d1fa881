package dev.greeter.greeting;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * A greeting compiled from its text: literal bytes, encoded once, and the variables
 * ({@code ${client.address}}, ...) filled in for each connection.
 * <p>
 * Values that cannot change while the server runs ({@code ${hostname}},
 * {@code ${env.NAME}}) are folded into the literal text at compile time, so a greeting
 * without per-connection variables is one constant array, exactly as if it had no
 * variables at all: no parsing, encoding or allocation per connection. <code>$${</code>
 * writes a literal <code>${</code>.
 *
 * @author tcp-greeter team
 */
public final class GreetingTemplate {

	private static final DateTimeFormatter TIME_FORMAT = DateTimeFormatter
		.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
		.withZone(ZoneOffset.UTC);

	private static final DateTimeFormatter DAYTIME_FORMAT = DateTimeFormatter
		.ofPattern("EEEE, MMMM d, uuuu HH:mm:ss-'UTC'", Locale.ENGLISH)
		.withZone(ZoneOffset.UTC);

	static final String DAYTIME_TEMPLATE = "${daytime}";

	private static final String KNOWN = "hostname, client.address, client.port, server.port, time, "
			+ "connection.count, env.NAME";

	// Each part is either literal bytes (byte[]) or a Variable.
	private final Object[] parts;

	private final byte @Nullable [] constant;

	private final int maxSize;

	private final String literalText;

	private final Set<String> variables;

	private final List<String> warnings;

	private GreetingTemplate(Object[] parts, int maxSize, String literalText, Set<String> variables,
			List<String> warnings) {
		this.parts = parts;
		this.constant = (parts.length == 1 && parts[0] instanceof byte[] bytes) ? bytes : null;
		this.maxSize = maxSize;
		this.literalText = literalText;
		this.variables = variables;
		this.warnings = warnings;
	}

	/**
	 * Compile a greeting.
	 * @param text the greeting text, possibly with {@code ${...}} variables
	 * @param lineEnding what follows the text
	 * @param scope the values folded in at compile time
	 * @return the compiled greeting
	 * @throws InvalidGreetingException if the text is malformed or names a variable that
	 * is unknown or not allowed
	 */
	static GreetingTemplate compile(String text, LineEnding lineEnding, TemplateScope scope) {
		return compile(text, lineEnding, scope, false);
	}

	static GreetingTemplate compile(String text, LineEnding lineEnding, TemplateScope scope, boolean daytime) {
		List<Object> parts = new ArrayList<>();
		StringBuilder literal = new StringBuilder();
		StringBuilder allLiterals = new StringBuilder();
		Set<String> variables = new LinkedHashSet<>();
		List<String> warnings = new ArrayList<>();
		int maxSize = 0;
		int at = 0;
		while (at < text.length()) {
			int start = text.indexOf("${", at);
			if (start < 0) {
				literal.append(text, at, text.length());
				break;
			}
			if (start > 0 && text.charAt(start - 1) == '$') {
				literal.append(text, at, start - 1).append("${"); // $${ is a literal ${
				at = start + 2;
				continue;
			}
			literal.append(text, at, start);
			int end = text.indexOf('}', start + 2);
			if (end < 0) {
				throw new InvalidGreetingException("unclosed '${' at character " + (start + 1));
			}
			String name = text.substring(start + 2, end);
			at = end + 1;
			if (name.startsWith("env.")) {
				literal.append(envValue(name.substring(4), scope, warnings));
				variables.add(name);
			}
			else if (name.equals("hostname")) {
				literal.append(scope.hostname().get());
				variables.add(name);
			}
			else {
				Variable variable = Variable.named(name, daytime);
				if (variable == null) {
					throw new InvalidGreetingException(
							(name.isEmpty() ? "empty variable '${}'" : "unknown variable '${" + name + "}'")
									+ " at character " + (start + 1) + "; known: " + KNOWN);
				}
				maxSize += flush(literal, parts, allLiterals);
				parts.add(variable);
				maxSize += variable.maxLength;
				variables.add(name);
			}
		}
		literal.append(lineEnding.terminator());
		maxSize += flush(literal, parts, allLiterals);
		if (parts.isEmpty()) {
			parts.add(new byte[0]);
		}
		return new GreetingTemplate(parts.toArray(), maxSize, allLiterals.toString(), variables, warnings);
	}

	private static String envValue(String name, TemplateScope scope, List<String> warnings) {
		if (!scope.allowedEnv().contains(name)) {
			throw new InvalidGreetingException("'${env." + name + "}' names an environment variable that is not in "
					+ "greeter.allowed-env " + scope.allowedEnv() + "; add it there to use it");
		}
		String value = scope.env().apply(name);
		if (value == null) {
			warnings.add("environment variable " + name + " is not set: '${env." + name + "}' is empty");
			return "";
		}
		return value;
	}

	private static int flush(StringBuilder literal, List<Object> parts, StringBuilder allLiterals) {
		if (literal.isEmpty()) {
			return 0;
		}
		byte[] bytes = literal.toString().getBytes(StandardCharsets.UTF_8);
		parts.add(bytes);
		allLiterals.append(literal);
		literal.setLength(0);
		return bytes.length;
	}

	/**
	 * The greeting for one connection.
	 * @param facts the connection
	 * @param now the time to show
	 * @return the bytes to send; a shared array when the greeting has no per-connection
	 * variables, which must not be modified
	 */
	public byte[] render(ConnectionFacts facts, Instant now) {
		if (this.constant != null) {
			return this.constant;
		}
		String[] values = new String[this.parts.length];
		int size = 0;
		for (int i = 0; i < this.parts.length; i++) {
			if (this.parts[i] instanceof byte[] bytes) {
				size += bytes.length;
			}
			else {
				values[i] = ((Variable) this.parts[i]).value(facts, now);
				size += values[i].length();
			}
		}
		byte[] greeting = new byte[size];
		int at = 0;
		for (int i = 0; i < this.parts.length; i++) {
			if (this.parts[i] instanceof byte[] bytes) {
				System.arraycopy(bytes, 0, greeting, at, bytes.length);
				at += bytes.length;
			}
			else {
				// Addresses, numbers and times are ASCII: one byte per character.
				String value = values[i];
				for (int j = 0; j < value.length(); j++) {
					greeting[at++] = (byte) value.charAt(j);
				}
			}
		}
		return greeting;
	}

	/**
	 * The greeting when it is the same for every connection.
	 * @return the shared bytes, or {@code null} if the greeting has per-connection
	 * variables
	 */
	public byte @Nullable [] constantBytes() {
		return this.constant;
	}

	/**
	 * The largest the greeting can be on the wire: its exact size when it is constant.
	 * @return the size in bytes
	 */
	public int maxSize() {
		return this.maxSize;
	}

	/**
	 * The variables the greeting uses, in order of first use.
	 * @return the variable names
	 */
	public Set<String> variables() {
		return this.variables;
	}

	/**
	 * The literal text, with the values folded in at compile time and the line ending,
	 * without the per-connection variables.
	 * @return the text
	 */
	String literalText() {
		return this.literalText;
	}

	/**
	 * What an operator should know about the greeting, such as an unset environment
	 * variable.
	 * @return the warnings, one line each
	 */
	List<String> warnings() {
		return this.warnings;
	}

	@Override
	public String toString() {
		return "GreetingTemplate" + Arrays.toString(this.variables.toArray()) + "[up to " + this.maxSize + " bytes]";
	}

	private enum Variable {

		// An IPv6 address with a zone id is the longest address text Java writes.
		CLIENT_ADDRESS("client.address", 39 + 1 + 16),

		CLIENT_PORT("client.port", 5),

		SERVER_PORT("server.port", 5),

		TIME("time", 24),

		CONNECTION_COUNT("connection.count", 19),

		DAYTIME("daytime", 48);

		private final String variableName;

		private final int maxLength;

		Variable(String variableName, int maxLength) {
			this.variableName = variableName;
			this.maxLength = maxLength;
		}

		String value(ConnectionFacts facts, Instant now) {
			return switch (this) {
				case CLIENT_ADDRESS -> facts.clientAddress();
				case CLIENT_PORT -> Integer.toString(facts.clientPort());
				case SERVER_PORT -> Integer.toString(facts.serverPort());
				case TIME -> TIME_FORMAT.format(now);
				case CONNECTION_COUNT -> Long.toString(facts.sequence());
				case DAYTIME -> DAYTIME_FORMAT.format(now);
			};
		}

		// ${daytime} is the daytime mode's own template, not offered to greetings.
		static @Nullable Variable named(String name, boolean daytime) {
			for (Variable variable : values()) {
				if (variable.variableName.equals(name) && (variable != DAYTIME || daytime)) {
					return variable;
				}
			}
			return null;
		}

	}

}
