package dev.greeter.greeting;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.RunningServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code greeter.mode}: RFC 865 Quote of the Day and RFC 867 Daytime, over real
 * connections.
 */
@ExtendWith(OutputCaptureExtension.class)
class GreetingModeTests {

	@Test
	void qotdEndsEveryLineWithCrlfWhateverTheLineEnding(CapturedOutput output) throws IOException {
		try (RunningServer server = RunningServer.start("greeter.mode=qotd", "greeter.line-ending=lf",
				"greeter.greeting=The only way to learn a new language\nis by writing programs in it.\r\n - K&R")) {
			assertThat(fetch(server))
				.isEqualTo("The only way to learn a new language\r\nis by writing programs in it.\r\n - K&R\r\n");
		}
		assertThat(output.getAll()).doesNotContain("RFC 865");
	}

	@Test
	void qotdWarnsAboutAQuoteLongerThanRfc865AllowsAndStillServesIt(CapturedOutput output) throws IOException {
		String quote = "x".repeat(600);
		try (RunningServer server = RunningServer.start("greeter.mode=qotd", "greeter.greeting=" + quote)) {
			assertThat(fetch(server)).isEqualTo(quote + "\r\n");
		}
		assertThat(output.getAll()).containsOnlyOnce(
				"Greeting from greeter.greeting: is 602 bytes, more than the 512 characters RFC 865 asks a quote to "
						+ "stay under");
	}

	@Test
	void qotdWarnsAboutCharactersOutsidePrintableAscii(CapturedOutput output) throws IOException {
		try (RunningServer server = RunningServer.start("greeter.mode=qotd", "greeter.greeting=Déjà vu")) {
			assertThat(fetch(server)).isEqualTo("Déjà vu\r\n");
		}
		assertThat(output.getAll()).containsOnlyOnce(
				"Greeting from greeter.greeting: character 2 (U+00E9) is not printable ASCII, which RFC 865 asks for");
	}

	@Test
	void daytimeIsTheCurrentUtcTimeOnOneLine() throws IOException {
		DateTimeFormatter rfc867 = DateTimeFormatter.ofPattern("EEEE, MMMM d, uuuu HH:mm:ss-'UTC'", Locale.ENGLISH)
			.withZone(ZoneOffset.UTC);
		try (RunningServer server = RunningServer.start("greeter.mode=daytime")) {
			Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
			String greeting = fetch(server);
			Instant after = Instant.now();
			assertThat(greeting).endsWith("\r\n").hasLineCount(1);
			Instant shown = ZonedDateTime.parse(greeting.strip(), rfc867).toInstant();
			assertThat(shown).isBetween(before, after);
		}
	}

	private static String fetch(RunningServer server) throws IOException {
		return new String(server.fetch(), StandardCharsets.UTF_8);
	}

}
