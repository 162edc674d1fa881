package dev.greeter.server;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationListener;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.integration.ip.IpHeaders;
import org.springframework.integration.ip.tcp.connection.TcpConnection;
import org.springframework.integration.ip.tcp.connection.TcpConnectionOpenEvent;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.MessageBuilder;

import dev.greeter.greeting.Greeting;

/**
 * Greets every new server connection: sends the greeting to the outbound adapter's
 * channel, then half-closes the connection so the client sees the end of the greeting at
 * once.
 * <p>
 * Spring Integration publishes the open event on the connection's own reader thread
 * before its first read, so the greeting is always written before anything the client
 * sent is looked at.
 *
 * @author tcp-greeter team
 */
final class ConnectionGreeter implements ApplicationListener<TcpConnectionOpenEvent> {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionGreeter.class);

	private final String factoryName;

	private final MessageChannel greetings;

	private final Greeting greeting;

	private final boolean logConnections;

	private final GreetingListener listener;

	ConnectionGreeter(String factoryName, MessageChannel greetings, Greeting greeting, boolean logConnections,
			GreetingListener listener) {
		this.factoryName = factoryName;
		this.greetings = greetings;
		this.greeting = greeting;
		this.logConnections = logConnections;
		this.listener = listener;
	}

	@Override
	public void onApplicationEvent(TcpConnectionOpenEvent event) {
		// Client connection factories publish open events too: greet our own clients
		// only.
		if (!this.factoryName.equals(event.getConnectionFactoryName())) {
			return;
		}
		TcpConnection connection = (TcpConnection) event.getSource();
		if (this.logConnections) {
			logger.info("Connection established with {}", remoteAddress(connection));
		}
		Message<byte[]> message = MessageBuilder.withPayload(this.greeting.bytes())
			.setHeader(IpHeaders.CONNECTION_ID, event.getConnectionId())
			.build();
		try {
			this.greetings.send(message);
			connection.shutdownOutput();
			this.listener.greetingSent(this.greeting.size());
		}
		catch (MessagingException | IOException ex) {
			// The client left before its greeting was written: its loss, not a server
			// fault. The framework has already closed the connection.
			this.listener.greetingAborted(ex);
			if (logger.isDebugEnabled()) {
				logger.debug("Greeting to {} not delivered: {}", remoteAddress(connection), rootMessage(ex));
			}
		}
		catch (RuntimeException ex) {
			// A bug, not a network error: report it, and do not leave the client waiting
			// for a greeting.
			this.listener.greetingAborted(ex);
			logger.error("Greeting to {} failed", remoteAddress(connection), ex);
			connection.close();
		}
	}

	/**
	 * The client's address as the lab program printed it ({@code /127.0.0.1:54321}).
	 * @param connection the connection
	 * @return the address
	 */
	static String remoteAddress(TcpConnection connection) {
		String host = connection.getHostAddress();
		return (host.indexOf(':') >= 0) ? "/[" + host + "]:" + connection.getPort()
				: "/" + host + ":" + connection.getPort();
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = NestedExceptionUtils.getMostSpecificCause(ex);
		return root.getClass().getSimpleName() + ": " + root.getMessage();
	}

}
