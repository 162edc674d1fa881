package dev.greeter.client;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Decides whether a server's reply is a greeting at all: text in UTF-8 with no control
 * characters but tab, carriage return and line feed. Anything else (a TLS alert from a
 * TLS port, a binary protocol, a wrong port) must not be printed as a greeting and
 * counted a success: the exit status 0 means a real greeting.
 *
 * @author tcp-greeter team
 */
final class ReplyCheck {

	private ReplyCheck() {
	}

	/**
	 * What is wrong with a reply, in words a person can act on.
	 * @param reply the bytes received, whole
	 * @param target the server, as {@code host:port}
	 * @return the problem, or {@code null} for a greeting
	 */
	static @Nullable String problem(byte[] reply, String target) {
		if (isTlsRecord(reply)) {
			return target + " answered with TLS, not a greeting: connect with TLS (set greeter.client.ssl.bundle)";
		}
		int invalid = firstInvalidUtf8(reply);
		if (invalid >= 0) {
			return "the reply from " + target + " is not text: invalid UTF-8 at byte " + invalid;
		}
		for (int i = 0; i < reply.length; i++) {
			int b = reply[i] & 0xff;
			if ((b < 0x20 && b != '\t' && b != '\r' && b != '\n') || b == 0x7f) {
				return String.format(Locale.ROOT, "the reply from %s is not text: control byte 0x%02X at byte %d",
						target, b, i);
			}
		}
		return null;
	}

	// A TLS record header: content type (change_cipher_spec, alert, handshake or
	// application data), then version 3.x.
	private static boolean isTlsRecord(byte[] reply) {
		return reply.length >= 5 && reply[0] >= 0x14 && reply[0] <= 0x17 && reply[1] == 0x03 && reply[2] >= 0x00
				&& reply[2] <= 0x04;
	}

	private static int firstInvalidUtf8(byte[] reply) {
		CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
		try {
			decoder.decode(ByteBuffer.wrap(reply));
			return -1;
		}
		catch (CharacterCodingException ex) {
			// Decode again up to the failure to find where it is.
			ByteBuffer input = ByteBuffer.wrap(reply);
			CharBuffer output = CharBuffer.allocate(reply.length);
			decoder.reset().decode(input, output, true);
			return input.position();
		}
	}

}
