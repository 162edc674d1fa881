package dev.greeter.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import com.jayway.jsonpath.JsonPath;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.greeter.GreeterApplication;
import dev.greeter.Meters;
import dev.greeter.RunningServer;
import dev.greeter.deploy.Tools;
import dev.greeter.greeting.GreetingProperties;
import dev.greeter.proxy.ProxyHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The greeting over TLS, with certificates this test makes with keytool: the project's
 * own client with a trust bundle, {@code openssl s_client}, the bundle's protocol
 * setting, and client-certificate authentication.
 */
@ExtendWith(OutputCaptureExtension.class)
class TlsTests {

	private static final String GREETING = GreetingProperties.DEFAULT_GREETING;

	private static final String PASSWORD = "change-me";

	@TempDir
	static Path keys;

	@BeforeAll
	static void makeCertificates() throws Exception {
		keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
				"-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", file("server.p12"));
		keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", file("server.p12"), "-file",
				file("server.pem"));
		keytool("-importcert", "-noprompt", "-alias", "server", "-file", file("server.pem"), "-keystore",
				file("trusts-server.p12"));
		keytool("-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=client",
				"-validity", "2", "-keystore", file("client.p12"));
		keytool("-exportcert", "-rfc", "-alias", "client", "-keystore", file("client.p12"), "-file",
				file("client.pem"));
		keytool("-importcert", "-noprompt", "-alias", "client", "-file", file("client.pem"), "-keystore",
				file("trusts-client.p12"));
		keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
				"-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", file("server-rsa.p12"));
		run("openssl", "pkcs12", "-in", file("client.p12"), "-nodes", "-passin", "pass:" + PASSWORD, "-out",
				file("client-key-and-cert.pem"));
	}

	@Test
	void clientProfileReceivesTheGreetingOverTls(CapturedOutput output) {
		try (RunningServer server = RunningServer.start(serverBundle())) {
			int outStart = output.getOut().length();
			assertThat(ClientTests.runClient(clientBundle("trusts-server.p12", "--greeter.client.host=localhost",
					"--greeter.client.port=" + server.port())))
				.isZero();
			assertThat(output.getOut().substring(outStart)).isEqualTo(GREETING + "\n");
		}
	}

	@Test
	void clientThatDoesNotTrustTheServerExitsSixWithOneLine(CapturedOutput output) {
		try (RunningServer server = RunningServer.start(serverBundle())) {
			int errStart = output.getErr().length();
			assertThat(ClientTests.runClient(clientBundle("trusts-client.p12", "--greeter.client.host=localhost",
					"--greeter.client.port=" + server.port())))
				.isEqualTo(6);
			String err = output.getErr().substring(errStart);
			assertThat(err).startsWith("tcp-greeter: connection to localhost:" + server.port()).contains("PKIX");
			assertThat(err.lines()).hasSize(1);
		}
	}

	@Test
	void opensslClientReceivesTheGreetingAndACleanClose() throws Exception {
		try (RunningServer server = RunningServer.start(serverBundle())) {
			Result result = run("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(), "-CAfile",
					file("server.pem"), "-verify_return_error", "-quiet");
			assertThat(result.exitCode()).as(result.output()).isZero();
			assertThat(result.output()).contains(GREETING + "\r\n").doesNotContain("errno").doesNotContain("error:");
		}
	}

	@Test
	void theServersHandshakeMessagesAreNotHeldBack() throws Exception {
		// A plain listener's sockets hold the greeting back until the FIN (TCP_CORK,
		// Java 22+); a TLS listener's must not: the server's first flight would wait for
		// the kernel's 200 ms ceiling, every handshake. The fastest of five, after one
		// to warm up, is far below that unless something holds it.
		SSLContext trust = trustingTheServer();
		try (RunningServer server = RunningServer.start(serverBundle())) {
			long fastest = Long.MAX_VALUE;
			for (int i = 0; i < 6; i++) {
				try (Socket plain = server.connect();
						SSLSocket tls = (SSLSocket) trust.getSocketFactory()
							.createSocket(plain, "localhost", plain.getPort(), true)) {
					long start = System.nanoTime();
					tls.startHandshake();
					long took = System.nanoTime() - start;
					assertThat(new String(RunningServer.readToEnd(tls.getInputStream()), StandardCharsets.UTF_8))
						.isEqualTo(GREETING + "\r\n");
					if (i > 0) {
						fastest = Math.min(fastest, took);
					}
				}
			}
			assertThat(Duration.ofNanos(fastest)).isLessThan(Duration.ofMillis(150));
		}
	}

	private static SSLContext trustingTheServer() throws Exception {
		SSLContext trust = SSLContext.getInstance("TLS");
		TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream input = Files.newInputStream(keys.resolve("trusts-server.p12"))) {
			store.load(input, PASSWORD.toCharArray());
		}
		trustManagers.init(store);
		trust.init(null, trustManagers.getTrustManagers(), null);
		return trust;
	}

	@Test
	void clientThatNeverStartsTheHandshakeIsLetGoAfterTheLinger() throws IOException {
		try (RunningServer server = RunningServer.start(serverBundle()); Socket socket = server.connect()) {
			// No ClientHello: the server's handshake waits for it, bounded by the linger
			// (500 ms here), then gives up with TLS alerts and closes, without a
			// greeting.
			byte[] received = RunningServer.readToEnd(socket.getInputStream());
			for (int record = 0; record < received.length; record += 5 + length(received, record)) {
				assertThat(received[record]).as("TLS record type: alert").isEqualTo((byte) 21);
			}
			await("the server's close event").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> server.closedConnections() == 1);
		}
	}

	@Test
	void plainClientAgainstATlsPortExitsNineWithAHintAndPrintsNothing(CapturedOutput output) {
		try (RunningServer server = RunningServer.start(serverBundle())) {
			int outStart = output.getOut().length();
			int errStart = output.getErr().length();
			assertThat(
					ClientTests.runClient("--greeter.client.host=localhost", "--greeter.client.port=" + server.port()))
				.isEqualTo(9);
			assertThat(output.getOut().substring(outStart)).as("no TLS alert printed as a greeting").isEmpty();
			assertThat(output.getErr().substring(errStart)).isEqualTo("tcp-greeter: localhost:" + server.port()
					+ " answered with TLS, not a greeting: connect with TLS (set greeter.client.ssl.bundle)\n");
		}
	}

	@Test
	void withoutCiphersInTheBundleOnlyForwardSecretAeadSuitesAreAccepted() throws Exception {
		// An RSA key, so that static-RSA key exchange (AES128-SHA) would be possible at
		// all.
		try (RunningServer server = RunningServer.start("greeter.server.ssl.bundle=rsa",
				"spring.ssl.bundle.jks.rsa.keystore.location=file:" + file("server-rsa.p12"),
				"spring.ssl.bundle.jks.rsa.keystore.password=" + PASSWORD,
				"spring.ssl.bundle.jks.rsa.keystore.type=PKCS12", "greeter.server.linger=500ms")) {
			String address = "127.0.0.1:" + server.port();
			for (String weak : List.of("AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA",
					"ECDHE-RSA-AES128-SHA256")) {
				Result refused = run("openssl", "s_client", "-tls1_2", "-cipher", weak, "-connect", address, "-quiet");
				assertThat(refused.output()).as(weak + " refused").doesNotContain(GREETING);
			}
			Result tls11 = run("openssl", "s_client", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", "-connect", address,
					"-quiet");
			assertThat(tls11.output()).as("TLS 1.1 refused").doesNotContain(GREETING);
			Result good = run("openssl", "s_client", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-connect",
					address, "-quiet");
			assertThat(good.output()).as("ECDHE-RSA-AES128-GCM-SHA256 accepted").contains(GREETING);
			Result tls13 = run("openssl", "s_client", "-tls1_3", "-connect", address, "-quiet");
			assertThat(tls13.output()).as("TLS 1.3 accepted").contains(GREETING);
		}
	}

	@Test
	void theCertificateAndItsExpiryAreVisibleInInfoHealthAndTheScrape() throws Exception {
		try (RunningServer server = RunningServer.startWithActuator(serverBundle())) {
			String info = server.get("/info").body();
			assertThat(JsonPath.<List<String>>read(info, "$.ssl.bundles[*].name")).containsExactly("greeter");
			assertThat(
					JsonPath.<List<String>>read(info, "$.ssl.bundles[0].certificateChains[0].certificates[*].subject"))
				.containsExactly("CN=localhost");
			assertThat(server.get("/health").body()).contains("\"ssl\":{\"status\":\"UP\"}");
			assertThat(server.get("/prometheus").body())
				.containsPattern("(?m)^ssl_chain_expiry_seconds\\{bundle=\"greeter\",[^}]*source=\"keystore\"} \\d");
		}
	}

	@Test
	void bundleProtocolsAreApplied() throws Exception {
		try (RunningServer server = RunningServer
			.start(serverBundle("spring.ssl.bundle.jks.greeter.options.enabled-protocols=TLSv1.3"))) {
			Result tls12 = run("openssl", "s_client", "-tls1_2", "-connect", "127.0.0.1:" + server.port(), "-CAfile",
					file("server.pem"), "-quiet");
			assertThat(tls12.exitCode()).as("TLS 1.2 refused").isNotZero();
			assertThat(tls12.output()).doesNotContain(GREETING);
			Result tls13 = run("openssl", "s_client", "-tls1_3", "-connect", "127.0.0.1:" + server.port(), "-CAfile",
					file("server.pem"), "-quiet");
			assertThat(tls13.output()).contains(GREETING);
		}
	}

	@Test
	void clientCertificateIsRequiredWhenAsked() throws Exception {
		List<String> properties = new ArrayList<>(List.of(serverBundle()));
		properties.add("spring.ssl.bundle.jks.greeter.truststore.location=file:" + file("trusts-client.p12"));
		properties.add("spring.ssl.bundle.jks.greeter.truststore.password=" + PASSWORD);
		properties.add("greeter.server.ssl.client-auth=need");
		try (RunningServer server = RunningServer.start(properties.toArray(String[]::new))) {
			Result without = run("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(), "-CAfile",
					file("server.pem"), "-quiet");
			assertThat(without.output()).as("no certificate, no greeting").doesNotContain(GREETING);
			Result with = run("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(), "-CAfile",
					file("server.pem"), "-cert", file("client-key-and-cert.pem"), "-key",
					file("client-key-and-cert.pem"), "-verify_return_error", "-quiet");
			assertThat(with.exitCode()).as(with.output()).isZero();
			assertThat(with.output()).contains(GREETING + "\r\n");
		}
	}

	// A TLS record's length: bytes 3 and 4 of its 5-byte header.
	@Test
	void proxyHeaderThenTlsOnOnePortNamesTheRealClient(CapturedOutput output) throws Exception {
		try (RunningServer server = RunningServer.start(serverBundle("greeter.server.proxy-protocol=required",
				"greeter.greeting=${client.address} ${client.port}"))) {
			SSLContext trust = trustingTheServer();
			try (Socket plain = server.connect()) {
				// What HAProxy's send-proxy-v2 writes before it passes the TLS bytes on.
				plain.getOutputStream().write(ProxyHeaders.v2("198.51.100.9", 50123, "192.0.2.1", 443));
				try (SSLSocket tls = (SSLSocket) trust.getSocketFactory()
					.createSocket(plain, "localhost", plain.getPort(), true)) {
					tls.startHandshake();
					assertThat(new String(RunningServer.readToEnd(tls.getInputStream()), StandardCharsets.UTF_8))
						.isEqualTo("198.51.100.9 50123\r\n");
				}
			}
			assertThat(output.getAll()).containsPattern(
					"Connection established with /198\\.51\\.100\\.9:50123 " + "\\(via /127\\.0\\.0\\.1:\\d+\\)");
		}
	}

	@Test
	void theClientSendsItsProxyHeaderBeforeTheHandshake(CapturedOutput output) {
		try (RunningServer server = RunningServer.start(serverBundle("greeter.server.proxy-protocol=required",
				"greeter.greeting=${client.address} ${client.port}"))) {
			for (String version : List.of("v1", "v2")) {
				int outStart = output.getOut().length();
				assertThat(ClientTests.runClient(clientBundle("trusts-server.p12", "--greeter.client.host=localhost",
						"--greeter.client.port=" + server.port(), "--greeter.client.proxy.version=" + version,
						"--greeter.client.proxy.source-address=198.51.100.9",
						"--greeter.client.proxy.source-port=50123")))
					.as(version)
					.isZero();
				assertThat(output.getOut().substring(outStart)).isEqualTo("198.51.100.9 50123\n");
			}
		}
	}

	@Test
	void theProbeTimesTheHandshakeReadsTheCertificatesExpiryAndCountsAnUntrustedOneAsTls() {
		try (RunningServer server = RunningServer.start(serverBundle())) {
			List<String> arguments = new ArrayList<>(List.of("--spring.profiles.active=probe", "--server.port=0",
					"--server.address=127.0.0.1", "--spring.main.banner-mode=off"));
			for (String[] target : new String[][] { { "trusted", "trusts-server.p12" },
					{ "untrusted", "trusts-client.p12" } }) {
				String prefix = "--greeter.probe.targets." + target[0] + ".";
				String bundle = "--spring.ssl.bundle.jks." + target[0] + ".truststore.";
				arguments.addAll(List.of(prefix + "url=tls://localhost:" + server.port(), prefix + "interval=50ms",
						prefix + "ssl-bundle=" + target[0], bundle + "location=file:" + file(target[1]),
						bundle + "password=" + PASSWORD, bundle + "type=PKCS12"));
			}
			try (ConfigurableApplicationContext probe = new SpringApplicationBuilder(GreeterApplication.class)
				.run(arguments.toArray(String[]::new))) {
				MeterRegistry registry = probe.getBean(MeterRegistry.class);
				await("a probe of each").atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
					assertThat(Meters.count(registry, "greeter.probe.attempts", "target", "trusted", "address",
							"127.0.0.1", "outcome", "ok"))
						.isPositive();
					assertThat(Meters.count(registry, "greeter.probe.attempts", "target", "untrusted", "address",
							"127.0.0.1", "outcome", "tls"))
						.isPositive();
				});
				assertThat(Meters.count(registry, "greeter.probe.answers", "target", "trusted", "answer", GREETING))
					.isPositive();
				assertThat(registry.get("greeter.probe.tls.handshake").tag("target", "trusted").timer().count())
					.isPositive();
				// The certificate was made to be valid for two days.
				double expiry = registry.get("greeter.probe.certificate.expiry.timestamp")
					.tag("target", "trusted")
					.gauge()
					.value();
				long now = System.currentTimeMillis() / 1000;
				assertThat(expiry).isBetween(now + 86_400.0, now + 3 * 86_400.0);
			}
		}
	}

	private static int length(byte[] records, int start) {
		assertThat(records.length).as("a whole record header").isGreaterThanOrEqualTo(start + 5);
		return ((records[start + 3] & 0xFF) << 8) | (records[start + 4] & 0xFF);
	}

	private static String[] serverBundle(String... more) {
		List<String> properties = new ArrayList<>(List.of("greeter.server.ssl.bundle=greeter",
				"spring.ssl.bundle.jks.greeter.keystore.location=file:" + file("server.p12"),
				"spring.ssl.bundle.jks.greeter.keystore.password=" + PASSWORD,
				"spring.ssl.bundle.jks.greeter.keystore.type=PKCS12", "greeter.server.linger=500ms"));
		properties.addAll(List.of(more));
		return properties.toArray(String[]::new);
	}

	private static String[] clientBundle(String truststore, String... more) {
		List<String> arguments = new ArrayList<>(List.of("--greeter.client.ssl.bundle=trust",
				"--spring.ssl.bundle.jks.trust.truststore.location=file:" + file(truststore),
				"--spring.ssl.bundle.jks.trust.truststore.password=" + PASSWORD,
				"--spring.ssl.bundle.jks.trust.truststore.type=PKCS12", "--greeter.client.timeout=5s"));
		arguments.addAll(List.of(more));
		return arguments.toArray(String[]::new);
	}

	private static String file(String name) {
		return keys.resolve(name).toString();
	}

	private static void keytool(String... arguments) throws Exception {
		Tools.keytool(PASSWORD, arguments);
	}

	private static Result run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(30, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IOException(String.join(" ", command) + " did not end in 30 s");
		}
		return new Result(process.exitValue(), output);
	}

	private record Result(int exitCode, String output) {

	}

}
