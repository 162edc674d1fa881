package dev.greeter.greeting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The greeting file reader and the template compiler under a coverage-guided fuzzer: any
 * bytes in the file either become a greeting or are refused with
 * {@link InvalidGreetingException}, the one failure start-up and reload report; and a
 * compiled greeting never renders larger than the size it announced (the write timeout
 * and {@code greeter_greeting_size_bytes} rely on it).
 */
class GreetingFuzzTests {

	private static final TemplateScope SCOPE = new TemplateScope(() -> "host-1", Set.of("POD_NAME"),
			(name) -> name.equals("POD_NAME") ? "pod-\u00e9" : null);

	private static final Path FILE = temporaryFile();

	@FuzzTest(maxDuration = "10s")
	void anyFileBecomesAGreetingOrIsRefusedWithItsOwnException(byte[] contents) throws IOException {
		Files.write(FILE, contents);
		try {
			byte[] read = GreetingFile.read(FILE, 1024);
			String text = GreetingFile.text(read);
			GreetingTemplate template = GreetingTemplate.compile(text, LineEnding.CRLF, SCOPE);
			byte[] rendered = template.render(new ConnectionFacts("2001:db8::7", 65535, 8000, Long.MAX_VALUE),
					Instant.EPOCH);
			assertThat(rendered.length).as("rendered within its announced size")
				.isLessThanOrEqualTo(template.maxSize());
			byte[] constant = template.constantBytes();
			if (constant != null) {
				assertThat(constant).isEqualTo(rendered);
			}
		}
		catch (InvalidGreetingException ex) {
			assertThat(ex.getMessage()).isNotBlank();
		}
	}

	private static Path temporaryFile() {
		try {
			Path file = Files.createTempFile("greeting-fuzz-", ".txt");
			file.toFile().deleteOnExit();
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
