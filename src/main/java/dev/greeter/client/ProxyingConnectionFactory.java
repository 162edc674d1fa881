package dev.greeter.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

import javax.net.ssl.SSLSocketFactory;

import org.springframework.integration.ip.tcp.connection.TcpNetClientConnectionFactory;

/**
 * Spring Integration's client connection factory, which sends a PROXY protocol header
 * first when {@code greeter.client.proxy.version} asks for one: the header goes over the
 * plain connection, and TLS, if any, is layered on it afterwards, as a load balancer with
 * {@code send-proxy} in front of a TLS listener does.
 *
 * @author tcp-greeter team
 */
final class ProxyingConnectionFactory extends TcpNetClientConnectionFactory {

	private final ClientProperties.Proxy proxy;

	ProxyingConnectionFactory(String host, int port, ClientProperties.Proxy proxy) {
		super(host, port);
		this.proxy = proxy;
	}

	@Override
	protected Socket createSocket(String host, int port) throws IOException {
		if (!this.proxy.enabled()) {
			return super.createSocket(host, port);
		}
		Socket plain = new Socket();
		try {
			plain.connect(new InetSocketAddress(host, port), (int) getConnectTimeout().toMillis());
			this.proxy.sendOn(plain);
			if (getTcpSocketFactorySupport().getSocketFactory() instanceof SSLSocketFactory tls) {
				// The socket support then sets host name verification on it, as on any
				// socket of this factory.
				return tls.createSocket(plain, host, port, true);
			}
			return plain;
		}
		catch (IOException | RuntimeException ex) {
			plain.close();
			throw ex;
		}
	}

}
