package dev.greeter.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dockerfile and the Kubernetes manifests, checked offline with the npm tools in
 * {@code .ci/node}: dockerfilelint, and the Kubernetes (and Prometheus Operator) JSON
 * schemas from kubernetes-models.
 */
class DeployFilesIT {

	private static final Path NODE_TOOLS = Path.of(".ci", "node");

	@BeforeAll
	static void installTools() throws Exception {
		Tools.require(Tools.onPath("npm") && Tools.onPath("node"), "npm and node",
				"install Node.js (Debian: apt-get install nodejs npm)");
		Tools.Result install = Tools.run(Duration.ofMinutes(5), "npm", "ci", "--prefix", NODE_TOOLS.toString(),
				"--no-audit", "--no-fund", "--loglevel=error");
		assertThat(install.exitCode()).as(install.output()).isZero();
	}

	@Test
	void dockerfilePassesDockerfilelint() throws Exception {
		Tools.Result lint = Tools.run(Duration.ofMinutes(1),
				NODE_TOOLS.resolve("node_modules/.bin/dockerfilelint").toString(), "Dockerfile");
		assertThat(lint.exitCode()).as(lint.output()).isZero();
		assertThat(lint.output()).contains("Issues: None found");
	}

	@Test
	void kubernetesManifestsMatchTheirSchemas() throws Exception {
		List<String> command = new ArrayList<>(
				List.of("node", NODE_TOOLS.resolve("validate-kubernetes.mjs").toString()));
		try (Stream<Path> files = Files.walk(Path.of("deploy", "kubernetes"))) {
			files.filter((file) -> file.toString().endsWith(".yaml"))
				.sorted()
				.forEach((file) -> command.add(file.toString()));
		}
		Tools.Result validation = Tools.run(Duration.ofMinutes(1), command.toArray(String[]::new));
		assertThat(validation.exitCode()).as(validation.output()).isZero();
		assertThat(validation.output()).contains("valid   deploy/kubernetes/deployment.yaml: Deployment tcp-greeter")
			.contains("valid   deploy/kubernetes/service.yaml: Service tcp-greeter")
			.contains("valid   deploy/kubernetes/servicemonitor.yaml: ServiceMonitor tcp-greeter")
			.contains("valid   deploy/kubernetes/examples/listeners.yaml: Deployment tcp-greeter")
			.contains("valid   deploy/kubernetes/examples/listeners.yaml: Service tcp-greeter")
			.contains("valid   deploy/kubernetes/examples/probe.yaml: Service tcp-greeter-headless")
			.contains("valid   deploy/kubernetes/examples/probe.yaml: Deployment tcp-greeter-probe")
			.contains("valid   deploy/kubernetes/examples/probe.yaml: ServiceMonitor tcp-greeter-probe")
			.doesNotContain("INVALID");
	}

	@Test
	void probeManifestStartsTheJvmWithTheImagesMemorySettings() throws Exception {
		// The probe example replaces the image's command (the probe profile cannot run in
		// the image's AOT mode), so it repeats the JVM options: all of them but the AOT
		// ones, or its memory differs from what the docs measured for the image.
		List<String> image = jsonArray(Files.readString(Path.of("Dockerfile")), "ENTRYPOINT [");
		List<String> probe = jsonArray(Files.readString(Path.of("deploy", "kubernetes", "examples", "probe.yaml")),
				"command: [");
		List<String> jvmOptions = image.stream()
			.filter((option) -> option.startsWith("-X") && !option.startsWith("-XX:AOTCache"))
			.toList();
		assertThat(jvmOptions).contains("-XX:+UseSerialGC", "-XX:ErgoHeapSizeLimit=64m");
		assertThat(probe).containsAll(jvmOptions).doesNotContain("-Dspring.aot.enabled=true");
	}

	// The quoted strings of the first JSON array after the marker (an exec-form command).
	private static List<String> jsonArray(String text, String marker) {
		int start = text.indexOf(marker);
		assertThat(start).as("'%s' in the file", marker).isNotNegative();
		String array = text.substring(start + marker.length(), text.indexOf(']', start));
		List<String> items = new ArrayList<>();
		Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher(array);
		while (quoted.find()) {
			items.add(quoted.group(1));
		}
		return items;
	}

	@Test
	void serviceDeclaresTheGreetingPortPlainTcpForMeshes() throws Exception {
		String service = Files.readString(Path.of("deploy", "kubernetes", "service.yaml"));
		assertThat(service).contains("name: tcp-greeting").contains("appProtocol: tcp");
	}

	@Test
	void schemaCheckRejectsABrokenManifest() throws Exception {
		// The check must be able to fail: a wrong type in a copy of the Deployment.
		Path broken = Files.createTempFile("deployment-", ".yaml");
		try {
			Files.writeString(broken, Files.readString(Path.of("deploy", "kubernetes", "deployment.yaml"))
				.replace("runAsNonRoot: true", "runAsNonRoot: \"yes\""));
			Tools.Result validation = Tools.run(Duration.ofMinutes(1), "node",
					NODE_TOOLS.resolve("validate-kubernetes.mjs").toString(), broken.toString());
			assertThat(validation.exitCode()).isEqualTo(1);
			assertThat(validation.output()).contains("runAsNonRoot must be boolean");
		}
		finally {
			Files.deleteIfExists(broken);
		}
	}

}
