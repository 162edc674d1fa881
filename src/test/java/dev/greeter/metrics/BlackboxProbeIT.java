package dev.greeter.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.RunningServer;
import dev.greeter.deploy.Tools;
import dev.greeter.Ports;

import static dev.greeter.Meters.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The blackbox_exporter modules of {@code deploy/prometheus/blackbox.yml}, run by
 * Debian's {@code prometheus-blackbox-exporter} against the server: {@code probe_success}
 * is 1 for the expected greeting, over plain TCP and TLS, and 0 for a wrong one; the
 * server counts no probe as an error.
 */
class BlackboxProbeIT {

	private static final Path MODULES = Path.of("deploy", "prometheus", "blackbox.yml");

	private static final String PASSWORD = "change-me";

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@TempDir
	Path directory;

	private Process exporter;

	private int exporterPort;

	@BeforeEach
	void startExporter() throws Exception {
		String binary = Tools.onPath("prometheus-blackbox-exporter") ? "prometheus-blackbox-exporter"
				: "blackbox_exporter";
		Tools.require(Tools.onPath(binary), "prometheus-blackbox-exporter",
				"apt-get update && apt-get install -y --no-install-recommends prometheus-blackbox-exporter");
		// A server certificate the exporter trusts through the system trust store, as the
		// module expects: SSL_CERT_FILE is that store for a Go program.
		keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
				"-ext", "SAN=dns:localhost", "-validity", "2", "-keystore", file("server.p12"));
		keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", file("server.p12"), "-file",
				file("server.pem"));
		this.exporterPort = Ports.free();
		ProcessBuilder builder = new ProcessBuilder(binary, "--config.file=" + MODULES.toAbsolutePath(),
				"--web.listen-address=127.0.0.1:" + this.exporterPort)
			.redirectErrorStream(true)
			.redirectOutput(this.directory.resolve("exporter.log").toFile());
		builder.environment().put("SSL_CERT_FILE", file("server.pem"));
		this.exporter = builder.start();
		await("the exporter to listen").atMost(Duration.ofSeconds(30))
			.ignoreExceptions()
			.until(() -> get("/-/healthy").statusCode() == 200);
	}

	@AfterEach
	void stopExporter() throws Exception {
		if (this.exporter != null) {
			this.exporter.destroy();
			if (!this.exporter.waitFor(10, TimeUnit.SECONDS)) {
				this.exporter.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void probeSucceedsForTheGreetingAndIsNotAnErrorToTheServer() throws Exception {
		try (RunningServer server = RunningServer.start()) {
			for (int i = 0; i < 5; i++) {
				assertThat(probe("tcp_greeter", "127.0.0.1:" + server.port())).contains("probe_success 1");
			}
			MeterRegistry registry = server.context().getBean(MeterRegistry.class);
			await("the probes' connections to close").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> count(registry, "greeter.connections.closed") == 5);
			assertThat(count(registry, "greeter.connection.errors")).isZero();
		}
	}

	@Test
	void probeFailsForAWrongGreeting() throws Exception {
		try (RunningServer server = RunningServer.start("greeter.greeting=Goodbye")) {
			assertThat(probe("tcp_greeter", "127.0.0.1:" + server.port())).contains("probe_success 0");
		}
	}

	@Test
	void tlsProbeSucceedsWithATrustedCertificateAndTheRightName() throws Exception {
		try (RunningServer server = RunningServer.start("greeter.server.ssl.bundle=greeter",
				"spring.ssl.bundle.jks.greeter.keystore.location=file:" + file("server.p12"),
				"spring.ssl.bundle.jks.greeter.keystore.password=" + PASSWORD,
				"spring.ssl.bundle.jks.greeter.keystore.type=PKCS12")) {
			assertThat(probe("tcp_greeter_tls", "localhost:" + server.port())).contains("probe_success 1");
			assertThat(probe("tcp_greeter", "localhost:" + server.port())).as("plain TCP to a TLS port")
				.contains("probe_success 0");
		}
	}

	private String probe(String module, String target) throws Exception {
		HttpResponse<String> response = get("/probe?module=" + module + "&target=" + target);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return response.body();
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.exporterPort + path))
			.timeout(Duration.ofSeconds(20))
			.build();
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private void keytool(String... arguments) throws IOException {
		Tools.keytool(PASSWORD, arguments);
	}

	private String file(String name) {
		return this.directory.resolve(name).toString();
	}

}
