package dev.greeter.client;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.greeter.RunningServer;
import dev.greeter.deploy.Tools;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Watch mode's progress line: on a terminal, standard error has one line overwritten in
 * place while it runs, and it is cleared before the summary. {@code script} (util-linux)
 * gives the client a pseudo-terminal, as a person's shell would. Without a terminal there
 * is none ({@link WatchTests}).
 */
class ProgressLineIT {

	@Test
	void onATerminalAProgressLineIsOverwrittenInPlace() throws Exception {
		Tools.require(Tools.onPath("script"), "script", "apt-get install -y --no-install-recommends util-linux");
		try (RunningServer server = RunningServer.start("greeter.server.log-connections=false")) {
			String java = ProcessHandle.current().info().command().orElse("java");
			String command = String.join(" ", java, "-jar", "target/tcp-greeter.jar", "--spring.profiles.active=client",
					"--greeter.client.host=127.0.0.1", "--greeter.client.port=" + server.port(),
					"--greeter.client.duration=2s", "--greeter.client.rate=20");
			Tools.Result result = Tools.run(Duration.ofMinutes(2), "script", "-qec", command, "/dev/null");
			assertThat(result.exitCode()).as(result.output()).isZero();
			assertThat(result.output())
				.containsPattern("\rwatching 127\\.0\\.0\\.1:\\d+: \\d\\.\\d of 2 s, \\d+ ok, 0 " + "failed\u001b\\[K")
				.contains("\r\u001b[Ksummary: 40 connections");
		}
	}

}
