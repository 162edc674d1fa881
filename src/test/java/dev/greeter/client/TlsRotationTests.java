package dev.greeter.client;

import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.RunningServer;
import dev.greeter.deploy.Tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Certificates rotate without a restart: the PEM files of a bundle with
 * {@code reload-on-update} are swapped under a running server, as cert-manager does. A
 * new {@code openssl s_client} connection shows the new serial within the quiet period
 * plus a second, and a large greeting being read over the old certificate during the swap
 * arrives whole. A half-done rotation (the new certificate, still the old key) is refused
 * with {@code verify-keys}, and the old certificate stays until the key arrives too.
 */
class TlsRotationTests {

	private static final Duration QUIET_PERIOD = Duration.ofSeconds(1);

	@TempDir
	static Path keys;

	@BeforeAll
	static void makeCertificates() throws Exception {
		for (String serial : new String[] { "1001", "2002" }) {
			Tools.Result made = Tools.run(Duration.ofMinutes(1), "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
					"ec_paramgen_curve:prime256v1", "-nodes", "-keyout", file("key-" + serial + ".pem"), "-out",
					file("cert-" + serial + ".pem"), "-days", "2", "-subj", "/CN=localhost", "-addext",
					"subjectAltName=DNS:localhost,IP:127.0.0.1", "-set_serial", "0x" + serial);
			assertThat(made.exitCode()).as(made.output()).isZero();
		}
		install("1001");
	}

	@Test
	void newConnectionsGetTheNewCertificateAndOneInFlightFinishesOnTheOld() throws Exception {
		byte[] large = "z".repeat(2 * 1024 * 1024).getBytes(StandardCharsets.US_ASCII);
		try (RunningServer server = RunningServer.start("greeter.server.ssl.bundle=rotating",
				"spring.ssl.bundle.pem.rotating.keystore.certificate=file:" + file("cert.pem"),
				"spring.ssl.bundle.pem.rotating.keystore.private-key=file:" + file("key.pem"),
				"spring.ssl.bundle.pem.rotating.keystore.verify-keys=true",
				"spring.ssl.bundle.pem.rotating.reload-on-update=true",
				"spring.ssl.bundle.watch.file.quiet-period=" + QUIET_PERIOD.toMillis() + "ms",
				"greeter.greeting=" + new String(large, StandardCharsets.US_ASCII), "greeter.line-ending=none",
				"greeter.max-greeting-size=4MB", "greeter.server.write-timeout=60s", "greeter.server.linger=5s")) {
			assertThat(serial(server.port())).isEqualTo("1001");

			try (SSLSocket inFlight = (SSLSocket) trustingEveryone().getSocketFactory().createSocket()) {
				inFlight.setReceiveBufferSize(4096);
				inFlight.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
				inFlight.setSoTimeout(20_000);
				InputStream input = inFlight.getInputStream();
				byte[] received = new byte[large.length + 1];
				int length = input.readNBytes(received, 0, 64 * 1024);
				BigInteger before = ((X509Certificate) inFlight.getSession().getPeerCertificates()[0])
					.getSerialNumber();

				// The certificate first, its key not yet: a pair that cannot work.
				replace("cert-2002.pem", "cert.pem");
				await("the old certificate to stay while the key does not match").during(QUIET_PERIOD.plusSeconds(1))
					.atMost(QUIET_PERIOD.plusSeconds(5))
					.pollInterval(Duration.ofMillis(200))
					.until(() -> serial(server.port()).equals("1001"));

				install("2002");
				long swapped = System.nanoTime();
				await("the new certificate on new connections").atMost(QUIET_PERIOD.plusSeconds(1))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> serial(server.port()).equals("2002"));
				assertThat(Duration.ofNanos(System.nanoTime() - swapped))
					.isLessThanOrEqualTo(QUIET_PERIOD.plusSeconds(1));

				for (int n; (n = input.read(received, length, received.length - length)) >= 0;) {
					length += n;
				}
				assertThat(before.toString(16)).isEqualTo("1001");
				assertThat(length).as("the whole greeting, over the old certificate").isEqualTo(large.length);
				assertThat(Arrays.equals(Arrays.copyOf(received, length), large)).isTrue();
			}
		}
	}

	// The serial of the certificate a new openssl s_client connection is shown.
	private static String serial(int port) throws Exception {
		Tools.Result result = Tools.run(Duration.ofSeconds(30), "bash", "-c", "openssl s_client -connect 127.0.0.1:"
				+ port + " -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -serial");
		return result.output().strip().replace("serial=", "").replaceFirst("^0+(?=.)", "");
	}

	private static void install(String serial) throws Exception {
		replace("key-" + serial + ".pem", "key.pem");
		replace("cert-" + serial + ".pem", "cert.pem");
	}

	// As a kubelet swaps a Secret's files: each one replaced whole, never half written.
	private static void replace(String source, String target) throws Exception {
		Files.copy(Path.of(file(source)), Path.of(file(target + ".tmp")), StandardCopyOption.REPLACE_EXISTING);
		Files.move(Path.of(file(target + ".tmp")), Path.of(file(target)), StandardCopyOption.REPLACE_EXISTING,
				StandardCopyOption.ATOMIC_MOVE);
	}

	// The test's own client: it accepts both certificates, it only reports which it got.
	private static SSLContext trustingEveryone() throws Exception {
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, new TrustManager[] { new X509TrustManager() {

			@Override
			public void checkClientTrusted(X509Certificate[] chain, String authType) {
			}

			@Override
			public void checkServerTrusted(X509Certificate[] chain, String authType) {
			}

			@Override
			public X509Certificate[] getAcceptedIssuers() {
				return new X509Certificate[0];
			}

		} }, null);
		return context;
	}

	private static String file(String name) {
		return keys.resolve(name).toString();
	}

}
