package dev.greeter.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.JarProcess;
import dev.greeter.RunningServer;
import dev.greeter.deploy.Tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A watch ended early by a signal, as a person ends it with Ctrl-C or a script with
 * {@code timeout}: the summary of what ran is still printed, its counts add up, it says
 * that a signal stopped it, and the exit status is the signal's (143, 130), never the 0
 * of a watch that ran its course.
 */
class WatchStoppedBySignalIT {

	private static final Pattern INTERVAL_OK = Pattern
		.compile("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  ok (\\d+)  failed 0");

	private static final Pattern SUMMARY = Pattern.compile(
			"(?m)^summary: (\\d+) connections to 127\\.0\\.0\\.1:\\d+ in (\\d+\\.\\d) s \\([0-9.]+/s\\): (\\d+) ok, 0 failed$");

	@TempDir
	Path temp;

	@Test
	void sigtermPrintsTheSummarySoFarAndExitsAsTerminated() throws Exception {
		try (RunningServer server = RunningServer.start("greeter.server.log-connections=false")) {
			Path out = this.temp.resolve("watch.out");
			Path err = this.temp.resolve("watch.err");
			try (JarProcess client = watch(out, err, server.port())) {
				await("the first interval line").atMost(JarProcess.STARTUP)
					.until(() -> INTERVAL_OK.matcher(JarProcess.read(out)).find() || !client.process().isAlive());
				assertThat(client.sigterm(Duration.ofSeconds(30))).as(JarProcess.read(err)).isEqualTo(143);
			}
			assertThat(JarProcess.read(err)).doesNotContain("\tat ").doesNotContain("Exception");
			String printed = JarProcess.read(out);
			Matcher summary = SUMMARY.matcher(printed);
			assertThat(summary.find()).as(printed).isTrue();
			int started = Integer.parseInt(summary.group(1));
			assertThat(Integer.parseInt(summary.group(3))).as("ok, of the started").isEqualTo(started);
			assertThat(Double.parseDouble(summary.group(2))).as("seconds").isLessThan(60);
			// Every connection the summary counts is in an interval line too.
			int inIntervals = 0;
			for (Matcher line = INTERVAL_OK.matcher(printed); line.find();) {
				inIntervals += Integer.parseInt(line.group(1));
			}
			assertThat(inIntervals).as(printed).isEqualTo(started).isPositive();
			assertThat(printed).contains("stopped by a signal " + summary.group(2)
					+ " s into the 60.0 s asked (greeter.client.duration); the exit status is the signal's");
		}
	}

	@Test
	void ctrlCEndsAJsonWatchWithASummaryThatHasNoExitStatusOfItsOwn() throws Exception {
		try (RunningServer server = RunningServer.start("greeter.server.log-connections=false")) {
			Path out = this.temp.resolve("watch.json");
			Path err = this.temp.resolve("watch.err");
			try (JarProcess client = watch(out, err, server.port(), "--greeter.client.format=json")) {
				await("the first interval object").atMost(JarProcess.STARTUP)
					.until(() -> JarProcess.read(out).contains("\"type\":\"interval\"") || !client.process().isAlive());
				// Ctrl-C on a terminal sends SIGINT to the process.
				Tools.Result kill = Tools.run(Duration.ofSeconds(10), "kill", "-INT", Long.toString(client.pid()));
				assertThat(kill.exitCode()).as(kill.output()).isZero();
				assertThat(client.process().waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
				assertThat(client.process().exitValue()).as(JarProcess.read(err)).isEqualTo(130);
			}
			assertThat(JarProcess.read(err)).doesNotContain("\tat ").doesNotContain("Exception");
			List<String> lines = JarProcess.read(out).lines().toList();
			String summary = lines.get(lines.size() - 1);
			assertThat(JsonPath.<String>read(summary, "$.type")).as(summary).isEqualTo("summary");
			assertThat(JsonPath.<Boolean>read(summary, "$.stoppedBySignal")).isTrue();
			assertThat(JsonPath.<Object>read(summary, "$.exitStatus")).isNull();
			int started = JsonPath.read(summary, "$.started");
			assertThat(started).isPositive();
			assertThat(JsonPath.<Integer>read(summary, "$.succeeded")).isEqualTo(started);
			assertThat(JsonPath.<Integer>read(summary, "$.failed")).isZero();
			int inIntervals = lines.stream()
				.filter((line) -> line.contains("\"type\":\"interval\""))
				.mapToInt((line) -> JsonPath.<Integer>read(line, "$.succeeded"))
				.sum();
			assertThat(inIntervals).isEqualTo(started);
		}
	}

	private static JarProcess watch(Path out, Path err, int port, String... more) throws Exception {
		List<String> arguments = new ArrayList<>(List.of("--greeter.client.host=127.0.0.1",
				"--greeter.client.port=" + port, "--greeter.client.duration=60s", "--greeter.client.rate=50"));
		arguments.addAll(List.of(more));
		return JarProcess.jar(out).stderr(err).client().start(arguments.toArray(String[]::new));
	}

}
