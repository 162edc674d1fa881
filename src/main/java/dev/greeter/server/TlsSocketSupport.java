package dev.greeter.server;

import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

import javax.net.ssl.SSLServerSocket;

import org.springframework.boot.ssl.SslOptions;
import org.springframework.integration.ip.tcp.connection.TcpSocketSupport;

/**
 * Applies what Spring Integration's TLS socket factory does not: the SSL bundle's enabled
 * protocols and cipher suites, and client-certificate authentication, on the listening
 * socket (accepted sockets inherit them).
 * <p>
 * A bundle that names no protocols gets TLS 1.3 and 1.2, and one that names no cipher
 * suites gets Mozilla's "intermediate" list: forward-secret AEAD suites only. The JDK's
 * own defaults are wider and differ by version (Java 17 still accepts static-RSA key
 * exchange and CBC suites, which scanners flag as LUCKY13-prone), so the server would
 * otherwise be as safe as whichever JDK runs it.
 *
 * @author tcp-greeter team
 */
final class TlsSocketSupport implements TcpSocketSupport {

	static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

	// https://ssl-config.mozilla.org/guidelines/5.7.json, "intermediate", in its order.
	static final List<String> DEFAULT_CIPHER_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
			"TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
			"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
			"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
			"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
			"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

	private final SslOptions options;

	private final ServerProperties.ClientAuth clientAuth;

	TlsSocketSupport(SslOptions options, ServerProperties.ClientAuth clientAuth) {
		this.options = options;
		this.clientAuth = clientAuth;
	}

	@Override
	public void postProcessServerSocket(ServerSocket serverSocket) {
		if (!(serverSocket instanceof SSLServerSocket tls)) {
			return;
		}
		tls.setEnabledProtocols((this.options.getEnabledProtocols() != null) ? this.options.getEnabledProtocols()
				: supported(DEFAULT_PROTOCOLS, tls.getSupportedProtocols()));
		tls.setEnabledCipherSuites((this.options.getCiphers() != null) ? this.options.getCiphers()
				: supported(DEFAULT_CIPHER_SUITES, tls.getSupportedCipherSuites()));
		switch (this.clientAuth) {
			case NEED -> tls.setNeedClientAuth(true);
			case WANT -> tls.setWantClientAuth(true);
			case NONE -> tls.setNeedClientAuth(false);
		}
	}

	// A JDK without one of them (ChaCha20 before Java 12, say) simply does not offer it.
	private static String[] supported(List<String> wanted, String[] supported) {
		List<String> available = List.of(supported);
		return wanted.stream().filter(available::contains).toArray(String[]::new);
	}

	@Override
	public void postProcessSocket(Socket socket) {
		// Accepted sockets inherit the listening socket's settings.
	}

}
