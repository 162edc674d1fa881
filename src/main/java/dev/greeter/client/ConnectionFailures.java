package dev.greeter.client;

import javax.net.ssl.SSLException;

import org.springframework.context.ApplicationListener;
import org.springframework.integration.ip.tcp.connection.TcpConnection;
import org.springframework.integration.ip.tcp.connection.TcpConnectionExceptionEvent;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.MessageBuilder;

import dev.greeter.support.Causes;

/**
 * Turns the client connections' read failures (timeout, reset, too large, closed without
 * a greeting) into {@link ClientFailure} outcomes on the same channel as the greetings,
 * so that every connection yields exactly one outcome.
 *
 * @author tcp-greeter team
 */
final class ConnectionFailures implements ApplicationListener<TcpConnectionExceptionEvent> {

	private final String factoryName;

	private final MessageChannel outcomes;

	private final ClientProperties properties;

	ConnectionFailures(String factoryName, MessageChannel outcomes, ClientProperties properties) {
		this.factoryName = factoryName;
		this.outcomes = outcomes;
		this.properties = properties;
	}

	@Override
	public void onApplicationEvent(TcpConnectionExceptionEvent event) {
		if (!this.factoryName.equals(event.getConnectionFactoryName())) {
			return;
		}
		// Once a greeting has arrived, the adapter closes the connection and its reader
		// fails once more: that is not a failure, and the connection already has its
		// outcome. A TLS failure, though, closes the socket itself (a fatal alert), and
		// never follows a greeting.
		boolean tlsFailure = Causes.unwrapped(event.getCause()) instanceof SSLException;
		if (!((TcpConnection) event.getSource()).isOpen() && !tlsFailure) {
			return;
		}
		FailureKind kind = FailureKind.ofReadFailure(event.getCause());
		this.outcomes
			.send(MessageBuilder.withPayload(ClientFailure.ofRead(kind, event.getCause(), this.properties)).build());
	}

}
