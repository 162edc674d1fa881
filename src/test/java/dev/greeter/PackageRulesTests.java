package dev.greeter;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package rules, checked on the compiled classes: what a greeting says and how a
 * PROXY header is parsed know nothing of sockets, meters or Spring Integration, so that
 * each can be read, tested and fuzzed alone; and the client and the server share nothing,
 * so that either can change without the other.
 */
class PackageRulesTests {

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.greeter");

	@Test
	void greetingAndProxyKnowNothingOfSocketsMetersOrSpringIntegration() {
		ArchRule rule = noClasses().that()
			.resideInAnyPackage("dev.greeter.greeting..", "dev.greeter.proxy..")
			.should()
			.dependOnClassesThat()
			.haveFullyQualifiedName("java.net.Socket")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("java.net.ServerSocket")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("java.net.DatagramSocket")
			.orShould()
			.dependOnClassesThat()
			.resideInAnyPackage("java.nio.channels..", "io.micrometer..", "org.springframework.integration..",
					"dev.greeter.server..", "dev.greeter.client..", "dev.greeter.metrics..");
		rule.check(CLASSES);
	}

	@Test
	void clientAndServerShareNothing() {
		noClasses().that()
			.resideInAPackage("dev.greeter.client..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.greeter.server..", "dev.greeter.metrics..", "dev.greeter.greeting..")
			.check(CLASSES);
		noClasses().that()
			.resideInAnyPackage("dev.greeter.server..", "dev.greeter.metrics..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("dev.greeter.client..")
			.check(CLASSES);
	}

	@Test
	void theTransportsKnowNothingOfEachOtherAndTheMetricsSeeNeither() {
		// TCP and UDP share only what the server package holds for every listener
		// (settings, timers, the observer); the meters hear of both through the observer.
		noClasses().that()
			.resideInAPackage("dev.greeter.server.tcp..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("dev.greeter.server.udp..")
			.check(CLASSES);
		noClasses().that()
			.resideInAPackage("dev.greeter.server.udp..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("dev.greeter.server.tcp..")
			.check(CLASSES);
		noClasses().that()
			.resideInAnyPackage("dev.greeter.metrics..", "dev.greeter.probe..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.greeter.server.tcp..", "dev.greeter.server.udp..")
			.check(CLASSES);
	}

	@Test
	void whatTheyShareKnowsNothingOfEither() {
		noClasses().that()
			.resideInAPackage("dev.greeter.support..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.greeter.server..", "dev.greeter.client..", "dev.greeter.metrics..",
					"dev.greeter.greeting..", "dev.greeter.proxy..", "io.micrometer..")
			.check(CLASSES);
	}

	@Test
	void theRulesCanFail() {
		// A rule that the code breaks, so that a rule that passes is known to look.
		ArchRule broken = noClasses().that()
			.resideInAPackage("dev.greeter.server..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("dev.greeter.proxy..");
		assertThat(broken.evaluate(CLASSES).hasViolation()).isTrue();
	}

}
