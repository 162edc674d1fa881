package dev.greeter.server;

import java.net.ServerSocket;
import java.net.Socket;

import javax.net.ssl.SSLServerSocket;

import org.springframework.boot.ssl.SslOptions;
import org.springframework.integration.ip.tcp.connection.TcpSocketSupport;

/**
 * Applies what Spring Integration's TLS socket factory does not: the SSL bundle's enabled
 * protocols and cipher suites, and client-certificate authentication, on the listening
 * socket (accepted sockets inherit them).
 *
 * @author tcp-greeter team
 */
final class TlsSocketSupport implements TcpSocketSupport {

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
		if (this.options.getEnabledProtocols() != null) {
			tls.setEnabledProtocols(this.options.getEnabledProtocols());
		}
		if (this.options.getCiphers() != null) {
			tls.setEnabledCipherSuites(this.options.getCiphers());
		}
		switch (this.clientAuth) {
			case NEED -> tls.setNeedClientAuth(true);
			case WANT -> tls.setWantClientAuth(true);
			case NONE -> tls.setNeedClientAuth(false);
		}
	}

	@Override
	public void postProcessSocket(Socket socket) {
		// Accepted sockets inherit the listening socket's settings.
	}

}
