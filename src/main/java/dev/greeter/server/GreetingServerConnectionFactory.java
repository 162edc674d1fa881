package dev.greeter.server;

import java.io.IOException;
import java.net.ServerSocket;

import org.springframework.integration.ip.tcp.connection.TcpNetServerConnectionFactory;

/**
 * Spring Integration's {@link TcpNetServerConnectionFactory}, which can also stop
 * accepting without closing the connections it has: {@code stop()} closes every open
 * connection at once, which would cut greetings in half when the application shuts down.
 *
 * @author tcp-greeter team
 */
final class GreetingServerConnectionFactory extends TcpNetServerConnectionFactory {

	GreetingServerConnectionFactory(int port) {
		super(port);
	}

	/**
	 * Close the listening socket: new connections are refused, open ones go on.
	 */
	void stopAccepting() {
		ServerSocket listening = getServerSocket();
		if (listening != null) {
			try {
				listening.close();
			}
			catch (IOException ex) {
				// closed already
			}
		}
	}

}
