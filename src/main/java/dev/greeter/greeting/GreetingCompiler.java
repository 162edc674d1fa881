package dev.greeter.greeting;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a greeting's source into the greeting served, by the rules of the mode: checks
 * its size, and warns about what RFC 865 would not like. Used at start-up and for every
 * reload of the greeting file.
 *
 * @author tcp-greeter team
 */
final class GreetingCompiler {

	private static final Logger logger = LoggerFactory.getLogger(GreetingCompiler.class);

	static final int QOTD_MAX_CHARACTERS = 512;

	private final GreetingMode mode;

	private final LineEnding lineEnding;

	private final long maxGreetingSize;

	private final TemplateScope scope;

	GreetingCompiler(GreetingProperties properties, TemplateScope scope) {
		this(properties.mode(), properties.lineEnding(), properties.maxGreetingSize().toBytes(), scope);
	}

	private GreetingCompiler(GreetingMode mode, LineEnding lineEnding, long maxGreetingSize, TemplateScope scope) {
		this.mode = mode;
		this.lineEnding = lineEnding;
		this.maxGreetingSize = maxGreetingSize;
		this.scope = scope;
	}

	/**
	 * A compiler for a listener that has a mode or line ending of its own.
	 * @param mode the listener's mode
	 * @param lineEnding the listener's line ending
	 * @return the compiler
	 */
	GreetingCompiler styled(GreetingMode mode, LineEnding lineEnding) {
		return new GreetingCompiler(mode, lineEnding, this.maxGreetingSize, this.scope);
	}

	GreetingMode mode() {
		return this.mode;
	}

	long maxGreetingSize() {
		return this.maxGreetingSize;
	}

	/**
	 * The daytime mode's greeting, which has no source.
	 * @return the greeting
	 */
	ServedGreeting daytime() {
		GreetingTemplate template = GreetingTemplate.compile(GreetingTemplate.DAYTIME_TEMPLATE, LineEnding.CRLF,
				this.scope, true);
		return new ServedGreeting(template, sha256(GreetingTemplate.DAYTIME_TEMPLATE.getBytes(StandardCharsets.UTF_8)),
				"daytime", GreetingMode.DAYTIME);
	}

	/**
	 * Compile a greeting file's content.
	 * @param file the file, for messages
	 * @param bytes what was read from it
	 * @return the greeting to serve
	 * @throws InvalidGreetingException if it cannot be served
	 */
	ServedGreeting compile(Path file, byte[] bytes) {
		return compile(GreetingFile.text(bytes), bytes, file.toString());
	}

	/**
	 * Compile a greeting's source.
	 * @param text the greeting text
	 * @param source the bytes the text was read from, for the hash
	 * @param origin where it came from, for messages
	 * @return the greeting to serve
	 * @throws InvalidGreetingException if it cannot be served
	 */
	ServedGreeting compile(String text, byte[] source, String origin) {
		if (text.isEmpty()) {
			throw new InvalidGreetingException("the greeting is empty");
		}
		GreetingMode mode = this.mode;
		GreetingTemplate template = (mode == GreetingMode.QOTD) ? GreetingTemplate
			.compile(text.replace("\r\n", "\n").replace("\n", "\r\n"), LineEnding.CRLF, this.scope)
				: GreetingTemplate.compile(text, this.lineEnding, this.scope);
		long max = this.maxGreetingSize;
		if (template.maxSize() > max) {
			throw new InvalidGreetingException(
					"the greeting takes " + (template.variables().isEmpty() ? "" : "up to ") + template.maxSize()
							+ " bytes on the wire, more than greeter.max-greeting-size (" + max + " bytes)");
		}
		template.warnings().forEach((warning) -> logger.warn("Greeting from {}: {}", origin, warning));
		if (mode == GreetingMode.QOTD) {
			warnUnlikeRfc865(template, origin);
		}
		return new ServedGreeting(template, sha256(source), origin, mode);
	}

	// RFC 865 asks for printable ASCII, CR and LF, under 512 characters. Clients cope
	// with more, so a warning, not a refusal.
	private void warnUnlikeRfc865(GreetingTemplate template, String origin) {
		String text = template.literalText();
		if (template.maxSize() > QOTD_MAX_CHARACTERS) {
			logger.warn("Greeting from {}: {} {} bytes, more than the {} characters RFC 865 asks a quote to stay under",
					origin, template.variables().isEmpty() ? "is" : "can be", template.maxSize(), QOTD_MAX_CHARACTERS);
		}
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if ((c < 0x20 || c > 0x7E) && c != '\r' && c != '\n') {
				logger.warn("Greeting from {}: character {} (U+{}) is not printable ASCII, which RFC 865 asks for",
						origin, i + 1, String.format("%04X", (int) c));
				return;
			}
		}
	}

	static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every Java platform has SHA-256", ex);
		}
	}

}
