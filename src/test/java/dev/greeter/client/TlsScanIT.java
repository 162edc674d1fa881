package dev.greeter.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.RunningServer;
import dev.greeter.deploy.Tools;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The greeting port's TLS as a scanner sees it (Debian's {@code sslscan}), with a bundle
 * that names no protocols or ciphers, on an RSA key (the case where static-RSA suites
 * would be possible): TLS 1.2 and 1.3 only, forward-secret AEAD suites only.
 */
class TlsScanIT {

	private static final String PASSWORD = "change-me";

	@TempDir
	Path keys;

	@Test
	void sslscanFindsOnlyModernProtocolsAndForwardSecretAeadSuites() throws Exception {
		Tools.require(Tools.onPath("sslscan"), "sslscan",
				"apt-get update && apt-get install -y --no-install-recommends sslscan");
		String keystore = this.keys.resolve("server.p12").toString();
		Tools.keytool(PASSWORD, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname",
				"CN=localhost", "-validity", "2", "-keystore", keystore);
		try (RunningServer server = RunningServer.start("greeter.server.ssl.bundle=scan",
				"spring.ssl.bundle.jks.scan.keystore.location=file:" + keystore,
				"spring.ssl.bundle.jks.scan.keystore.password=" + PASSWORD,
				"spring.ssl.bundle.jks.scan.keystore.type=PKCS12", "greeter.server.linger=500ms")) {
			Tools.Result scan = Tools.run(Duration.ofSeconds(120), "sslscan", "--no-colour", "--no-heartbleed",
					"127.0.0.1:" + server.port());
			assertThat(scan.exitCode()).as(scan.output()).isZero();
			String output = scan.output();
			assertThat(output).containsPattern("TLSv1\\.0\\s+disabled")
				.containsPattern("TLSv1\\.1\\s+disabled")
				.containsPattern("TLSv1\\.2\\s+enabled")
				.containsPattern("TLSv1\\.3\\s+enabled");
			List<String> accepted = output.lines()
				.filter((line) -> line.startsWith("Accepted") || line.startsWith("Preferred"))
				.toList();
			assertThat(accepted).as(output).isNotEmpty();
			assertThat(accepted).allSatisfy((line) -> assertThat(line).as("forward-secret AEAD")
				.containsPattern("TLSv1\\.3|ECDHE-|DHE-")
				.containsPattern("GCM|CHACHA20")
				.doesNotContain("CBC")
				.doesNotContain("AES128-SHA "));
		}
	}

}
