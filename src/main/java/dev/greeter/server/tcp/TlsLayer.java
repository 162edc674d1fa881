package dev.greeter.server.tcp;

import dev.greeter.server.ServerSettings;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

/**
 * TLS on a listener, layered over each accepted plain socket with the bundle's current
 * {@link SSLContext}: when the bundle is reloaded
 * ({@code spring.ssl.bundle.*.reload-on-update}, a cert-manager rotation say), new
 * connections get the new certificate at once, and connections in flight finish on the
 * one they started with. Spring Integration's TLS socket factory builds its context once,
 * when the server starts, and would serve the first certificate until a restart.
 * <p>
 * Each socket gets the bundle's protocols and cipher suites; a bundle that names none
 * gets TLS 1.3 and 1.2 with Mozilla's "intermediate" suites, forward-secret AEAD only.
 * The JDK's own defaults are wider and differ by version (Java 17 still accepts
 * static-RSA key exchange and CBC suites, which scanners flag as LUCKY13-prone).
 *
 * @author tcp-greeter team
 */
final class TlsLayer {

	static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

	// https://ssl-config.mozilla.org/guidelines/5.7.json, "intermediate", in its order.
	static final List<String> DEFAULT_CIPHER_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
			"TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
			"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
			"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
			"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
			"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

	private static final Logger logger = LoggerFactory.getLogger(TlsLayer.class);

	private final ServerSettings.ClientAuth clientAuth;

	private volatile Context current;

	/**
	 * The context and the socket settings of one version of the bundle.
	 */
	private record Context(SSLContext context, String[] protocols, String[] cipherSuites) {

		static Context of(SslBundle bundle) {
			SSLContext context = bundle.createSslContext();
			SslOptions options = bundle.getOptions();
			SSLParameters supported = context.getSupportedSSLParameters();
			String[] protocols = (options.getEnabledProtocols() != null) ? options.getEnabledProtocols()
					: supported(DEFAULT_PROTOCOLS, supported.getProtocols());
			String[] cipherSuites = (options.getCiphers() != null) ? options.getCiphers()
					: supported(DEFAULT_CIPHER_SUITES, supported.getCipherSuites());
			return new Context(context, protocols, cipherSuites);
		}

		// A JDK without one of them simply does not offer it.
		private static String[] supported(List<String> wanted, String[] supported) {
			List<String> available = List.of(supported);
			return wanted.stream().filter(available::contains).toArray(String[]::new);
		}

	}

	TlsLayer(String bundleName, SslBundles bundles, ServerSettings.ClientAuth clientAuth) {
		this.clientAuth = clientAuth;
		// An unknown bundle fails start-up here, naming it.
		this.current = Context.of(bundles.getBundle(bundleName));
		bundles.addBundleUpdateHandler(bundleName, (bundle) -> {
			try {
				this.current = Context.of(bundle);
				logger.info("SSL bundle '{}' reloaded: new connections get its new certificate", bundleName);
			}
			catch (RuntimeException ex) {
				logger.error("SSL bundle '{}' changed but cannot be used, the previous certificate stays: {}",
						bundleName, ex.getMessage());
			}
		});
	}

	/**
	 * Start TLS, in server mode, on an accepted connection. The handshake itself happens
	 * on the connection's thread, at its first read or write.
	 * @param socket the accepted plain socket
	 * @param consumed what was already read from it (after a PROXY protocol header: the
	 * start of the handshake), or {@code null}
	 * @return the TLS socket over it, which closes it when closed
	 * @throws IOException if the socket cannot be layered
	 */
	SSLSocket layer(Socket socket, @Nullable InputStream consumed) throws IOException {
		Context context = this.current;
		// The factory's server-mode layering over a connected socket: the handshake
		// reads what was consumed first, then the socket; closing the TLS socket closes
		// it.
		SSLSocket tls = (SSLSocket) context.context().getSocketFactory().createSocket(socket, consumed, true);
		tls.setEnabledProtocols(context.protocols());
		tls.setEnabledCipherSuites(context.cipherSuites());
		switch (this.clientAuth) {
			case NEED -> tls.setNeedClientAuth(true);
			case WANT -> tls.setWantClientAuth(true);
			case NONE -> tls.setNeedClientAuth(false);
		}
		return tls;
	}

}
