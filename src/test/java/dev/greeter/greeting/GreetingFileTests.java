package dev.greeter.greeting;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.Meters;
import dev.greeter.RunningServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A greeting read from {@code greeter.greeting-file}, reloaded when the file changes, as
 * clients and Prometheus see it.
 */
@ExtendWith(OutputCaptureExtension.class)
class GreetingFileTests {

	private static final String POLL = "greeter.greeting-file-check-interval=50ms";

	@TempDir
	Path directory;

	@Test
	void fileIsServedAndReloadedWhenItChanges(CapturedOutput output) throws Exception {
		Path file = this.directory.resolve("greeting.txt");
		replace(file, "First greeting\n");
		try (RunningServer server = RunningServer.startWithActuator("greeter.greeting-file=" + file, POLL)) {
			assertThat(fetch(server)).isEqualTo("First greeting\r\n");
			assertThat(infoSeries(server)).containsExactly(info(file));
			String first = info(file);
			replace(file, "Second greeting, for ${client.address}\r\n");
			await("the new greeting").atMost(Duration.ofSeconds(10))
				.until(() -> fetch(server).equals("Second greeting, for 127.0.0.1\r\n"));
			assertThat(infoSeries(server)).containsExactly(info(file)).doesNotContain(first);
			assertThat(metric(server, "greeter_greeting_reloads_total{listener=\"default\",result=\"applied\"}"))
				.isEqualTo(1);
			assertThat(metric(server, "greeter_greeting_reloads_total{listener=\"default\",result=\"failed\"}"))
				.isEqualTo(0);
			assertThat(output.getAll()).contains("Greeting reloaded from " + file + " (sha256 " + sha256(file, 12));
			assertThat(server.get("/info").body()).contains("\"sha256\":\"" + sha256(file, 64) + "\"")
				.contains("\"variables\":[\"client.address\"]");
		}
	}

	@Test
	void configMapUpdateThroughASwappedSymbolicLinkIsPickedUp() throws Exception {
		// How the kubelet updates a mounted ConfigMap: the file is a link through ..data,
		// and ..data is swapped to a new directory in one rename.
		Path file = this.directory.resolve("greeting.txt");
		Files.createDirectory(this.directory.resolve("v1"));
		Files.writeString(this.directory.resolve("v1/greeting.txt"), "from v1\n");
		Files.createSymbolicLink(this.directory.resolve("..data"), Path.of("v1"));
		Files.createSymbolicLink(file, Path.of("..data/greeting.txt"));
		try (RunningServer server = RunningServer.start("greeter.greeting-file=" + file, POLL)) {
			assertThat(fetch(server)).isEqualTo("from v1\r\n");
			Files.createDirectory(this.directory.resolve("v2"));
			Files.writeString(this.directory.resolve("v2/greeting.txt"), "from v2\n");
			Files.createSymbolicLink(this.directory.resolve("..data_tmp"), Path.of("v2"));
			Files.move(this.directory.resolve("..data_tmp"), this.directory.resolve("..data"),
					StandardCopyOption.ATOMIC_MOVE);
			await("the ConfigMap's new greeting").atMost(Duration.ofSeconds(10))
				.until(() -> fetch(server).equals("from v2\r\n"));
		}
	}

	@Test
	void badFileKeepsTheGreetingAndIsReportedOnce(CapturedOutput output) throws Exception {
		Path file = this.directory.resolve("greeting.txt");
		replace(file, "Good greeting\n");
		try (RunningServer server = RunningServer.startWithActuator("greeter.greeting-file=" + file, POLL)) {
			String served = info(file);
			String shortSha = sha256(file, 12);
			replace(file, "Hi ${nope}\n");
			String reported = "Greeting file " + file + " not reloaded, still serving sha256 " + shortSha
					+ ": unknown variable '${nope}' at character 4";
			await("the error").atMost(Duration.ofSeconds(10)).until(() -> output.getAll().contains(reported));
			// Many polls later: still the old greeting, and still one report.
			Thread.sleep(500);
			assertThat(fetch(server)).isEqualTo("Good greeting\r\n");
			assertThat(output.getAll()).containsOnlyOnce(reported).doesNotContain("\tat ");
			assertThat(infoSeries(server)).containsExactly(served);
			assertThat(metric(server, "greeter_greeting_reloads_total{listener=\"default\",result=\"failed\"}"))
				.isEqualTo(1);

			Files.delete(file);
			await("the missing file's error").atMost(Duration.ofSeconds(10))
				.until(() -> output.getAll().contains("cannot read it (NoSuchFileException: " + file + ")"));
			assertThat(fetch(server)).isEqualTo("Good greeting\r\n");

			replace(file, new byte[] { 'H', 'i', (byte) 0xC3 });
			await("the encoding error").atMost(Duration.ofSeconds(10))
				.until(() -> output.getAll().contains("still serving sha256 " + shortSha + ": the file is not UTF-8"));

			replace(file, "Mended greeting\n");
			await("the mended greeting").atMost(Duration.ofSeconds(10))
				.until(() -> fetch(server).equals("Mended greeting\r\n"));
			assertThat(metric(server, "greeter_greeting_reloads_total{listener=\"default\",result=\"failed\"}"))
				.isEqualTo(3);
			assertThat(metric(server, "greeter_greeting_reloads_total{listener=\"default\",result=\"applied\"}"))
				.isEqualTo(1);
		}
	}

	@Test
	void fileTooLargeIsRefusedWithoutReadingIt(CapturedOutput output) throws Exception {
		Path file = this.directory.resolve("greeting.txt");
		replace(file, "Small\n");
		try (RunningServer server = RunningServer.start("greeter.greeting-file=" + file, POLL,
				"greeter.max-greeting-size=100B")) {
			replace(file, "x".repeat(10_000));
			await("the size error").atMost(Duration.ofSeconds(10))
				.until(() -> output.getAll()
					.contains("the file is 10000 bytes, more than greeter.max-greeting-size (100 bytes)"));
			assertThat(fetch(server)).isEqualTo("Small\r\n");
		}
	}

	private void replace(Path file, String content) throws IOException {
		replace(file, content.getBytes(StandardCharsets.UTF_8));
	}

	// Written whole, then renamed into place, as deployment tools do: a poll never sees
	// half a file. (Written in place, a poll between the create and the write reads an
	// empty file and counts a failure of its own.)
	private void replace(Path file, byte[] content) throws IOException {
		Path temporary = Files.createTempFile(this.directory, "greeting", ".tmp");
		Files.write(temporary, content);
		Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
	}

	private static String info(Path file) throws Exception {
		return "greeter_greeting_info{listener=\"default\",mode=\"greeting\",sha256=\"" + sha256(file, 12) + "\"} 1";
	}

	private static String sha256(Path file, int digits) throws Exception {
		byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
		return HexFormat.of().formatHex(digest).substring(0, digits);
	}

	private static List<String> infoSeries(RunningServer server) throws Exception {
		return lines(server).filter((line) -> line.startsWith("greeter_greeting_info{")).toList();
	}

	private static double metric(RunningServer server, String series) throws Exception {
		String scrape = server.get("/prometheus").body();
		assertThat(scrape).as("the scrape").contains(series + " ");
		return Meters.scraped(scrape, series);
	}

	private static Stream<String> lines(RunningServer server) throws Exception {
		return server.get("/prometheus").body().lines();
	}

	private static String fetch(RunningServer server) throws IOException {
		return new String(server.fetch(), StandardCharsets.UTF_8);
	}

}
