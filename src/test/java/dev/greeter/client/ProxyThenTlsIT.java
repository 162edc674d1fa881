package dev.greeter.client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.RunningServer;
import dev.greeter.deploy.Haproxy;
import dev.greeter.deploy.Tools;
import dev.greeter.Ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TLS passthrough behind a real HAProxy that sends the PROXY protocol: HAProxy does not
 * touch the TLS bytes, it writes a v2 header and passes the handshake on; the server
 * reads the header from the plain socket, then starts TLS on it. {@code openssl s_client}
 * connects through HAProxy from 127.0.0.1, HAProxy connects to the server from 127.0.0.3,
 * and the greeting must name 127.0.0.1.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProxyThenTlsIT {

	private static final String PASSWORD = "change-me";

	@TempDir
	Path directory;

	@Test
	void opensslThroughHaproxySendProxyV2GetsTheGreetingNamingItself(CapturedOutput output) throws Exception {
		Haproxy.require();
		Tools.require(Tools.onPath("openssl"), "openssl", "apt-get install -y --no-install-recommends openssl");
		Path keystore = this.directory.resolve("server.p12");
		Path certificate = this.directory.resolve("server.pem");
		Tools.keytool(PASSWORD, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
				"CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2", "-keystore", keystore.toString());
		Tools.keytool(PASSWORD, "-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-file",
				certificate.toString());
		try (RunningServer server = RunningServer.start("greeter.listeners.tls.ssl.bundle=greeter",
				"greeter.listeners.tls.proxy-protocol=required",
				"greeter.listeners.tls.greeting=Hello ${client.address}",
				"spring.ssl.bundle.jks.greeter.keystore.location=file:" + keystore,
				"spring.ssl.bundle.jks.greeter.keystore.password=" + PASSWORD,
				"spring.ssl.bundle.jks.greeter.keystore.type=PKCS12")) {
			int serverPort = server.port("tls");
			int proxyPort = Ports.free();
			try (Haproxy haproxy = Haproxy.start(this.directory, """
					defaults
					  mode tcp
					  timeout connect 5s
					  timeout client 30s
					  timeout server 30s
					frontend tls_passthrough
					  bind 127.0.0.1:%d
					  default_backend greeter
					backend greeter
					  server greeter 127.0.0.1:%d send-proxy-v2 source 127.0.0.3
					""".formatted(proxyPort, serverPort))) {
				await("HAProxy to listen").atMost(Duration.ofSeconds(30))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> Files.readString(Path.of("/proc/net/tcp"))
						.contains(String.format(" 0100007F:%04X 00000000:0000 0A ", proxyPort)));
				Tools.Result result = Tools.run(Duration.ofSeconds(60), "openssl", "s_client", "-connect",
						"127.0.0.1:" + proxyPort, "-servername", "localhost", "-CAfile", certificate.toString(),
						"-verify_return_error", "-ign_eof");
				assertThat(result.output()).contains("Verify return code: 0 (ok)").contains("Hello 127.0.0.1\r\n");
				assertThat(result.exitCode()).as(result.output()).isZero();
			}
			assertThat(output.getAll())
				.containsPattern("Connection established with /127\\.0\\.0\\.1:\\d+ \\(via /127\\.0\\.0\\.3:\\d+\\)");
		}
	}

}
