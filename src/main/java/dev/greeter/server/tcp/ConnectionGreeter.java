package dev.greeter.server.tcp;

import dev.greeter.server.AddressText;
import dev.greeter.server.ListenerObserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.integration.ip.IpHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.MessageBuilder;

import dev.greeter.greeting.ConnectionFacts;
import dev.greeter.greeting.GreetingSource;
import dev.greeter.greeting.GreetingTemplate;
import dev.greeter.greeting.ServedGreeting;

/**
 * Greets a new connection: sends the greeting to the outbound adapter's channel, then
 * half-closes the connection so the client sees the end of the greeting at once.
 * <p>
 * Called on the connection's own thread when it opens, before its first read, so the
 * greeting is always written before anything the client sent is looked at.
 *
 * @author tcp-greeter team
 */
final class ConnectionGreeter {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionGreeter.class);

	private final MessageChannel greetings;

	private final GreetingSource greeting;

	private final boolean logConnections;

	private final boolean structuredLogs;

	private final ListenerObserver observer;

	private final String listener;

	// ${connection.count}: one atomic increment per connection, the only cost a greeting
	// without variables shares with one that has them.
	private final AtomicLong sequence = new AtomicLong();

	ConnectionGreeter(String listener, MessageChannel greetings, GreetingSource greeting, boolean logConnections,
			boolean structuredLogs, ListenerObserver observer) {
		this.listener = listener;
		this.greetings = greetings;
		this.greeting = greeting;
		this.logConnections = logConnections;
		this.structuredLogs = structuredLogs;
		this.observer = observer;
	}

	/**
	 * The greeting to serve now, when it can be written to a new connection without ever
	 * blocking: a constant greeting of at most {@value GreetingConnection#NEVER_BLOCKS}
	 * bytes, which the smallest send buffer of a new socket takes whole. A greeting with
	 * variables is rendered per connection, so its size is known only then. The
	 * connection is then greeted with this one, even if the greeting changes meanwhile.
	 * @return the greeting, or {@code null} when the accepting thread must not greet
	 */
	@Nullable ServedGreeting fittingAtOnce() {
		ServedGreeting served = this.greeting.current();
		byte[] constant = served.template().constantBytes();
		return (constant != null && constant.length <= GreetingConnection.NEVER_BLOCKS) ? served : null;
	}

	void greet(GreetingConnection connection) {
		long sequence = this.sequence.incrementAndGet();
		@Nullable InetSocketAddress client = connection.realClient();
		ServedGreeting chosen = connection.chosenGreeting();
		ServedGreeting served = (chosen != null) ? chosen : this.greeting.current();
		// On the drain selector's path the line is written by the selector's thread,
		// after the greeting: off the accepting thread, and out of the client's wait.
		// Unless the greeting does not go out, since then the selector never sees the
		// connection.
		boolean logHere = !connection.drainedBySelector();
		if (logHere) {
			logEstablished(connection, served);
		}
		byte[] bytes = render(served, connection, client, sequence);
		Message<byte[]> message = MessageBuilder.withPayload(bytes)
			.setHeader(IpHeaders.CONNECTION_ID, connection.getConnectionId())
			.build();
		try {
			this.greetings.send(message);
			connection.shutdownOutput();
			connection.greeted(bytes.length, served);
			this.observer.greetingSent(connection, bytes.length);
		}
		catch (MessagingException | IOException ex) {
			// The client left before its greeting was written: its loss, not a server
			// fault. The framework has already closed the connection.
			connection.outcome("aborted");
			if (!logHere) {
				logEstablished(connection, served);
			}
			this.observer.greetingAborted(connection, ex);
			if (logger.isDebugEnabled()) {
				logger.debug("Greeting to {} not delivered: {}", describe(connection, client), rootMessage(ex));
			}
		}
		catch (RuntimeException ex) {
			// A bug, not a network error: report it, and do not leave the client waiting
			// for a greeting.
			connection.outcome("failed");
			if (!logHere) {
				logEstablished(connection, served);
			}
			this.observer.greetingAborted(connection, ex);
			logger.error("Greeting to {} failed", describe(connection, client), ex);
			connection.close();
		}
	}

	/**
	 * Write the connection's "Connection established" line, when connections are logged.
	 * @param connection the connection
	 * @param served the greeting it is (or was to be) greeted with
	 */
	void logEstablished(GreetingConnection connection, ServedGreeting served) {
		// The description is built only for a line that will be written: a level above
		// INFO silences it as surely as log-connections=false.
		if (!this.logConnections || !logger.isInfoEnabled()) {
			return;
		}
		@Nullable InetSocketAddress client = connection.realClient();
		if (this.structuredLogs) {
			ConnectionRecord.identify(logger.atInfo(), this.listener, connection, client, served)
				.log("Connection established with {}", describe(connection, client));
		}
		else {
			// The text line has no key-values: it reads as it always has, for what it
			// always cost.
			logger.info("Connection established with {}", describe(connection, client));
		}
	}

	private static byte[] render(ServedGreeting served, GreetingConnection connection,
			@Nullable InetSocketAddress client, long sequence) {
		GreetingTemplate template = served.template();
		byte[] constant = template.constantBytes();
		if (constant != null) {
			return constant;
		}
		String clientAddress = AddressText
			.of((client != null) ? client.getAddress() : connection.getSocketInfo().getInetAddress());
		int clientPort = (client != null) ? client.getPort() : connection.getPort();
		int serverPort = connection.getSocketInfo().getLocalPort();
		return template.render(new ConnectionFacts(clientAddress, clientPort, serverPort, sequence), Instant.now());
	}

	// The real client first, and the proxy it came through when there is one.
	static String describe(GreetingConnection connection, @Nullable InetSocketAddress client) {
		String peer = AddressText.withPort(connection.getSocketInfo().getInetAddress(), connection.getPort());
		return (client != null) ? AddressText.withPort(client.getAddress(), client.getPort()) + " (via " + peer + ")"
				: peer;
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = NestedExceptionUtils.getMostSpecificCause(ex);
		return root.getClass().getSimpleName() + ": " + root.getMessage();
	}

}
