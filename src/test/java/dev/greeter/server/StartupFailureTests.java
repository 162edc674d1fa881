package dev.greeter.server;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.GreeterApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What a person sees when the application cannot start: the whole application is run with
 * a bad setting or a busy port, and the printed report must name the property or the
 * port, without a stack trace.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"greeter.server.port=70000 | greeter.server.port | must be between 0 and 65535",
			"greeter.greeting= | greeter.greeting | must not be empty",
			"greeter.server.linger=-1s | greeter.server.linger | must be longer than or equal to 1 milli",
			"greeter.listeners.syslog.port=70000 | greeter.listeners[syslog].port | must be between 0 and 65535" })
	void badSettingStopsStartupWithAReportNamingTheProperty(String setting, String property, String reason,
			CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(setting));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("Property: " + property)
			.contains(reason)
			.doesNotContain("\tat ");
	}

	@Test
	void unknownListenerProtocolStopsStartupSayingWhatIsKnown(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("greeter.listeners.syslog.protocol=sctp"));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("greeter.listeners.syslog.protocol is 'sctp'")
			.contains("it must be one of tcp, udp")
			.doesNotContain("\tat ");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"greeter.greeting=Hi ${nope} | greeter.greeting | unknown variable '${nope}' at character 4; known: hostname",
			"greeter.greeting=Hi ${client.address | greeter.greeting | unclosed '${' at character 4",
			"greeter.server.shutdown-delay=15s | greeter.server.shutdown-delay | the delay plus the drain (up to 11 s) "
					+ "takes longer than spring.lifecycle.timeout-per-shutdown-phase (20 s)",
			"greeter.server.shutdown-delay=5s,greeter.listeners.slow.linger=30s | greeter.server.shutdown-delay | "
					+ "the delay plus the drain (up to 31 s) takes longer than "
					+ "spring.lifecycle.timeout-per-shutdown-phase (20 s)",
			"greeter.greeting=${env.AWS_SECRET_ACCESS_KEY} | greeter.greeting | not in greeter.allowed-env",
			"greeter.max-greeting-size=10B | greeter.greeting | takes 30 bytes on the wire, more than "
					+ "greeter.max-greeting-size (10 bytes)",
			"greeter.greeting-file=/nonexistent/greeting.txt | greeter.greeting-file | cannot read it "
					+ "(NoSuchFileException: /nonexistent/greeting.txt)",
			"greeter.mode=daytime,greeter.greeting=Hi | greeter.greeting | greeter.mode=daytime sends the date and time",
			"greeter.greeting-file=/etc/hostname,greeter.greeting=Hi | greeter.greeting-file | set greeter.greeting "
					+ "or greeter.greeting-file, not both",
			"greeter.listeners.dns.protocol=udp,greeter.listeners.dns.ssl.bundle=server | "
					+ "greeter.listeners.dns.ssl.bundle | not for a UDP listener",
			"greeter.listeners.dns.protocol=udp,greeter.listeners.dns.proxy-protocol=required | "
					+ "greeter.listeners.dns.proxy-protocol | not for a UDP listener",
			"greeter.listeners.dns.protocol=udp,greeter.listeners.dns.log-connections=true | "
					+ "greeter.listeners.dns.log-connections | not for a UDP listener",
			"greeter.listeners.a.port=9000,greeter.listeners.b.port=9000 | greeter.listeners.b.port "
					+ "| listener 'a' has the same TCP port",
			"greeter.listeners.web-.port=9000 | greeter.listeners.web-.* | a listener's name must be",
			"greeter.listeners.u.protocol=udp,greeter.listeners.u.greeting=Hi ${nope} | "
					+ "greeter.listeners.u.greeting | unknown variable",
			"greeter.listeners.u.protocol=udp,greeter.listeners.u.udp.max-reply-size=16B | "
					+ "greeter.listeners.u.udp.max-reply-size | the greeting takes up to 30 bytes, more than a reply may",
			"greeter.listeners.t.mode=daytime,greeter.listeners.t.greeting=Hi | greeter.listeners.t.greeting | "
					+ "greeter.listeners.t.mode=daytime sends the date and time" })
	void badGreetingStopsStartupWithAReportNamingTheProperty(String settings, String property, String reason,
			CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(settings.split(",")));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("for configuration property '" + property + "'")
			.contains(reason)
			.doesNotContain("\tat ");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"greeter.server.port=abc | greeter.server.port is 'abc' (from \"greeter.server.port\" from property source "
					+ "\"commandLineArgs\"), but it must be | a whole number between 0 and 65535.",
			"greeter.line-ending=crlf2 | greeter.line-ending is 'crlf2' | one of crlf, lf, none",
			"greeter.server.proxy-protocol=maybe | greeter.server.proxy-protocol is 'maybe' | one of off, optional, "
					+ "required",
			"greeter.mode=motd | greeter.mode is 'motd' | one of greeting, qotd, daytime",
			"greeter.server.max-connections=lots | greeter.server.max-connections is 'lots' | a whole number between 1 "
					+ "and 1000000",
			"greeter.server.linger=forever | greeter.server.linger is 'forever' | a duration such as 500ms, 10s or 2m",
			"greeter.server.log-connections=maybe | greeter.server.log-connections is 'maybe' | true or false",
			"greeter.max-greeting-size=big | greeter.max-greeting-size is 'big' | a size such as 512B, 64KB or 16MB",
			"greeter.server.address=not_an_address | greeter.server.address is 'not_an_address' | an IP address" })
	void valueThatDoesNotConvertIsExplainedInPlainWords(String setting, String said, String allowed,
			CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(setting));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains(said.trim())
			.contains(allowed.trim())
			.doesNotContain("failed to convert java.lang.String")
			.doesNotContain("\tat ");
	}

	@Test
	void portInUseStopsStartupWithAClearReport(CapturedOutput output) throws Exception {
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			int port = taken.getLocalPort();
			assertThatException().isThrownBy(() -> run("greeter.server.port=" + port))
				.havingRootCause()
				.isInstanceOf(BindException.class);
			assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
				.contains("The greeting server could not listen on port " + port + " (127.0.0.1)")
				.contains("Stop the process that uses port " + port)
				.doesNotContain("\tat ");
		}
	}

	private static void run(String... settings) {
		new SpringApplicationBuilder(GreeterApplication.class).web(WebApplicationType.NONE)
			.properties("greeter.server.address=127.0.0.1", "greeter.server.port=0", "spring.main.banner-mode=off")
			.run(Arrays.stream(settings).map((setting) -> "--" + setting).toArray(String[]::new))
			.close();
	}

}
