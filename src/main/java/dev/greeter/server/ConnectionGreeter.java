package dev.greeter.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
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

import dev.greeter.greeting.ConnectionFacts;
import dev.greeter.greeting.GreetingSource;
import dev.greeter.greeting.GreetingTemplate;
import dev.greeter.greeting.ServedGreeting;
import dev.greeter.proxy.InvalidProxyHeaderException;
import dev.greeter.proxy.ProxyHeader;
import dev.greeter.proxy.ProxyHeaderReader;

/**
 * Greets every new server connection: reads its PROXY protocol header when one is
 * expected, sends the greeting to the outbound adapter's channel, then half-closes the
 * connection so the client sees the end of the greeting at once.
 * <p>
 * Spring Integration publishes the open event on the connection's own reader thread
 * before its first read, so the greeting is always written before anything else the
 * client sent is looked at, and a PROXY header can be read here, before the greeting that
 * depends on it.
 *
 * @author tcp-greeter team
 */
final class ConnectionGreeter implements ApplicationListener<TcpConnectionOpenEvent> {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionGreeter.class);

	private final String factoryName;

	private final MessageChannel greetings;

	private final GreetingSource greeting;

	private final boolean logConnections;

	private final boolean structuredLogs;

	private final GreetingListener listener;

	private final @Nullable ProxyHeaderReader proxyHeaders;

	private final RateLimitedWarning proxyRejections;

	// ${connection.count}: one atomic increment per connection, the only cost a greeting
	// without variables shares with one that has them.
	private final AtomicLong sequence = new AtomicLong();

	ConnectionGreeter(String factoryName, MessageChannel greetings, GreetingSource greeting, boolean logConnections,
			boolean structuredLogs, GreetingListener listener, @Nullable ProxyHeaderReader proxyHeaders,
			ServerTimers timers) {
		this.factoryName = factoryName;
		this.greetings = greetings;
		this.greeting = greeting;
		this.logConnections = logConnections;
		this.structuredLogs = structuredLogs;
		this.listener = listener;
		this.proxyHeaders = proxyHeaders;
		this.proxyRejections = timers.warning(logger, "{} connection(s) closed without a greeting since the last "
				+ "report: no valid PROXY protocol header (greeter.server.proxy-protocol); the last: {}");
	}

	@Override
	public void onApplicationEvent(TcpConnectionOpenEvent event) {
		// Client connection factories publish open events too: greet our own clients
		// only.
		if (!this.factoryName.equals(event.getConnectionFactoryName())) {
			return;
		}
		TcpConnection connection = (TcpConnection) event.getSource();
		long sequence = this.sequence.incrementAndGet();
		@Nullable ProxyHeader header = null;
		if (this.proxyHeaders != null) {
			try {
				header = this.proxyHeaders.read(((GreetingConnectionSupport.GreetingConnection) connection).socket());
			}
			catch (InvalidProxyHeaderException ex) {
				rejectProxied(connection, ex);
				return;
			}
			catch (IOException ex) {
				// The client went away while we read: nothing to greet.
				connection.close();
				return;
			}
		}
		if (header != null) {
			this.listener.proxyHeaderAccepted(header.version());
		}
		@Nullable InetSocketAddress client = (header != null) ? header.source() : null;
		GreetingConnectionSupport.GreetingConnection tracked = (GreetingConnectionSupport.GreetingConnection) connection;
		tracked.realClient(client);
		ServedGreeting served = this.greeting.current();
		// The description is built only for a line that will be written: a level above
		// INFO silences it as surely as log-connections=false.
		if (this.logConnections && logger.isInfoEnabled()) {
			if (this.structuredLogs) {
				ConnectionRecord.identify(logger.atInfo(), connection, client, served)
					.log("Connection established with {}", describe(connection, client));
			}
			else {
				// The text line has no key-values: it reads as it always has, for what it
				// always cost.
				logger.info("Connection established with {}", describe(connection, client));
			}
		}
		byte[] bytes = render(served, connection, client, sequence);
		Message<byte[]> message = MessageBuilder.withPayload(bytes)
			.setHeader(IpHeaders.CONNECTION_ID, event.getConnectionId())
			.build();
		try {
			this.greetings.send(message);
			connection.shutdownOutput();
			tracked.greeted(bytes.length, served);
			this.listener.greetingSent(connection, bytes.length);
		}
		catch (MessagingException | IOException ex) {
			// The client left before its greeting was written: its loss, not a server
			// fault. The framework has already closed the connection.
			tracked.outcome("aborted");
			this.listener.greetingAborted(ex);
			if (logger.isDebugEnabled()) {
				logger.debug("Greeting to {} not delivered: {}", describe(connection, client), rootMessage(ex));
			}
		}
		catch (RuntimeException ex) {
			// A bug, not a network error: report it, and do not leave the client waiting
			// for a greeting.
			tracked.outcome("failed");
			this.listener.greetingAborted(ex);
			logger.error("Greeting to {} failed", describe(connection, client), ex);
			connection.close();
		}
	}

	private byte[] render(ServedGreeting served, TcpConnection connection, @Nullable InetSocketAddress client,
			long sequence) {
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

	private void rejectProxied(TcpConnection connection, InvalidProxyHeaderException ex) {
		// Counted and reported before the close, so that a client that sees its rejection
		// also sees it counted, and the report names the rejection that opened its
		// interval, not one that overtook it while this thread waited for a core.
		((GreetingConnectionSupport.GreetingConnection) connection).outcome("rejected");
		this.listener.proxyHeaderRejected(ex.reason());
		this.proxyRejections.occurred(remoteAddress(connection) + " " + ex.getMessage());
		connection.close();
	}

	/**
	 * The client's address as the lab program printed it ({@code /127.0.0.1:54321}).
	 * @param connection the connection
	 * @return the address
	 */
	static String remoteAddress(TcpConnection connection) {
		return format(AddressText.of(connection.getSocketInfo().getInetAddress()), connection.getPort());
	}

	// The real client first, and the proxy it came through when there is one.
	static String describe(TcpConnection connection, @Nullable InetSocketAddress client) {
		return (client != null) ? format(client) + " (via " + remoteAddress(connection) + ")"
				: remoteAddress(connection);
	}

	private static String format(InetSocketAddress address) {
		return format(AddressText.of(address.getAddress()), address.getPort());
	}

	private static String format(String host, int port) {
		return (host.indexOf(':') >= 0) ? "/[" + host + "]:" + port : "/" + host + ":" + port;
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = NestedExceptionUtils.getMostSpecificCause(ex);
		return root.getClass().getSimpleName() + ": " + root.getMessage();
	}

}
