package dev.greeter.metrics;

import java.net.http.HttpResponse;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import dev.greeter.RunningServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's CycloneDX SBOM, built into the jar, as Spring Boot's {@code sbom}
 * endpoint serves it where an operator chooses to expose it (it is not exposed by
 * default: see docs/operations.md).
 */
class SbomTests {

	@Test
	void theSbomListsTheRuntimeDependenciesAndNoTestOnes() throws Exception {
		try (RunningServer server = RunningServer
			.startWithActuator("management.endpoints.web.exposure.include=health,info,prometheus,sbom")) {
			HttpResponse<String> ids = server.get("/sbom");
			assertThat(ids.statusCode()).isEqualTo(200);
			assertThat(JsonPath.<List<String>>read(ids.body(), "$.ids")).contains("application");
			HttpResponse<String> sbom = server.get("/sbom/application");
			assertThat(sbom.statusCode()).isEqualTo(200);
			assertThat(JsonPath.<String>read(sbom.body(), "$.bomFormat")).isEqualTo("CycloneDX");
			assertThat(JsonPath.<String>read(sbom.body(), "$.metadata.component.name")).isEqualTo("tcp-greeter");
			List<String> components = JsonPath.read(sbom.body(), "$.components[*].name");
			assertThat(components).contains("spring-integration-ip", "micrometer-registry-prometheus")
				.doesNotContain("jazzer", "junit-jupiter-api", "assertj-core");
		}
	}

}
