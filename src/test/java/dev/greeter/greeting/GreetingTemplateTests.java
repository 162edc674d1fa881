package dev.greeter.greeting;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Compiling and rendering greeting templates. The same variables are checked end to end,
 * over real connections, in {@code TemplateGreetingTests}.
 */
class GreetingTemplateTests {

	private static final Instant NOW = Instant.parse("2026-11-24T09:30:05.007Z");

	private static final ConnectionFacts FACTS = new ConnectionFacts("203.0.113.7", 40001, 8000, 42);

	private final TemplateScope scope = new TemplateScope(() -> "pod-7", Set.of("POD_NAME", "UNSET"),
			Map.of("POD_NAME", "greeter-abc", "SECRET", "hunter2")::get);

	@Test
	void greetingWithoutVariablesIsOneConstantArray() {
		GreetingTemplate template = GreetingTemplate.compile("Hello World! This is Bhushan", LineEnding.CRLF,
				this.scope);
		assertThat(template.constantBytes()).asString().isEqualTo("Hello World! This is Bhushan\r\n");
		assertThat(template.render(FACTS, NOW)).isSameAs(template.constantBytes());
		assertThat(template.variables()).isEmpty();
	}

	@Test
	void hostnameAndEnvironmentAreFoldedInOnce() {
		GreetingTemplate template = GreetingTemplate.compile("${hostname}/${env.POD_NAME}", LineEnding.LF, this.scope);
		assertThat(template.constantBytes()).asString().isEqualTo("pod-7/greeter-abc\n");
		assertThat(template.variables()).containsExactly("hostname", "env.POD_NAME");
	}

	@Test
	void everyPerConnectionVariableIsFilledIn() {
		GreetingTemplate template = GreetingTemplate.compile(
				"${client.address}:${client.port} -> :${server.port} #${connection.count} at ${time}", LineEnding.NONE,
				this.scope);
		assertThat(template.constantBytes()).isNull();
		assertThat(template.render(FACTS, NOW)).asString()
			.isEqualTo("203.0.113.7:40001 -> :8000 #42 at 2026-11-24T09:30:05.007Z");
	}

	@Test
	void timeAlwaysHasMilliseconds() {
		GreetingTemplate template = GreetingTemplate.compile("${time}", LineEnding.NONE, this.scope);
		assertThat(template.render(FACTS, Instant.parse("2026-11-24T09:30:05Z"))).asString()
			.isEqualTo("2026-11-24T09:30:05.000Z");
	}

	@Test
	void utf8LiteralsAroundVariables() {
		GreetingTemplate template = GreetingTemplate.compile("Grüße, ${client.address} 👋", LineEnding.CRLF,
				this.scope);
		assertThat(new String(template.render(FACTS, NOW), StandardCharsets.UTF_8))
			.isEqualTo("Grüße, 203.0.113.7 👋\r\n");
	}

	@Test
	void doubleDollarWritesALiteralPlaceholder() {
		GreetingTemplate template = GreetingTemplate.compile("cost: $5, $${hostname} is ${hostname}", LineEnding.NONE,
				this.scope);
		assertThat(template.constantBytes()).asString().isEqualTo("cost: $5, ${hostname} is pod-7");
	}

	@Test
	void maxSizeBoundsTheLongestAddress() {
		GreetingTemplate template = GreetingTemplate.compile("[${client.address}]:${client.port} ${connection.count}",
				LineEnding.CRLF, this.scope);
		ConnectionFacts longest = new ConnectionFacts("fe80:0:0:0:ffff:ffff:ffff:ffff%enp0s31f6abcdef", 65535, 65535,
				Long.MAX_VALUE);
		assertThat(template.render(longest, NOW).length).isLessThanOrEqualTo(template.maxSize());
	}

	@Test
	void unknownVariableNamesItAndTheKnownOnes() {
		assertThatExceptionOfType(InvalidGreetingException.class)
			.isThrownBy(() -> GreetingTemplate.compile("Hi ${client.ip}", LineEnding.CRLF, this.scope))
			.withMessage("unknown variable '${client.ip}' at character 4; known: hostname, client.address, "
					+ "client.port, server.port, time, connection.count, env.NAME");
	}

	@Test
	void daytimeIsNotAGreetingVariable() {
		assertThatExceptionOfType(InvalidGreetingException.class)
			.isThrownBy(() -> GreetingTemplate.compile("${daytime}", LineEnding.CRLF, this.scope))
			.withMessageStartingWith("unknown variable '${daytime}'");
	}

	@Test
	void unclosedAndEmptyVariablesAreMalformed() {
		assertThatExceptionOfType(InvalidGreetingException.class)
			.isThrownBy(() -> GreetingTemplate.compile("Hi ${client.address", LineEnding.CRLF, this.scope))
			.withMessage("unclosed '${' at character 4");
		assertThatExceptionOfType(InvalidGreetingException.class)
			.isThrownBy(() -> GreetingTemplate.compile("Hi ${}", LineEnding.CRLF, this.scope))
			.withMessageStartingWith("empty variable '${}' at character 4");
	}

	@Test
	void environmentVariableOutsideTheAllowedListIsRefused() {
		assertThatExceptionOfType(InvalidGreetingException.class)
			.isThrownBy(() -> GreetingTemplate.compile("${env.SECRET}", LineEnding.CRLF, this.scope))
			.withMessageStartingWith(
					"'${env.SECRET}' names an environment variable that is not in " + "greeter.allowed-env");
	}

	@Test
	void allowedButUnsetEnvironmentVariableIsEmptyWithAWarning() {
		GreetingTemplate template = GreetingTemplate.compile("[${env.UNSET}]", LineEnding.NONE, this.scope);
		assertThat(template.constantBytes()).asString().isEqualTo("[]");
		assertThat(template.warnings())
			.containsExactly("environment variable UNSET is not set: '${env.UNSET}' is empty");
	}

	@Test
	void daytimeIsOneHumanReadableLine() {
		GreetingTemplate template = GreetingTemplate.compile(GreetingTemplate.DAYTIME_TEMPLATE, LineEnding.CRLF,
				this.scope, true);
		assertThat(template.render(FACTS, NOW)).asString().isEqualTo("Tuesday, November 24, 2026 09:30:05-UTC\r\n");
		assertThat(template.render(FACTS, Instant.parse("2026-09-30T23:59:59Z")).length)
			.isLessThanOrEqualTo(template.maxSize());
	}

}
