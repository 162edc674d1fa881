package dev.greeter.server.tcp;

import dev.greeter.server.AddressText;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import org.springframework.integration.ip.tcp.connection.TcpConnection;

import dev.greeter.greeting.ServedGreeting;

/**
 * The per-connection record for structured (JSON) logs: when a connection closes, one
 * event with the key-values a log pipeline can use, as nginx writes an access log line at
 * the end of a request: {@code listener}, {@code client.address} and {@code client.port}
 * (the real client behind a PROXY protocol proxy), {@code proxy.address} and
 * {@code proxy.port} when there is one, {@code greeting.sha256}, {@code outcome}
 * ({@code greeted}, {@code aborted}, {@code rejected} or {@code failed}),
 * {@code duration_ms} and {@code bytes}.
 * <p>
 * Only with {@code logging.structured.format.*} set: the plain text log keeps its one
 * line per connection, worded as it always was.
 *
 * @author tcp-greeter team
 */
final class ConnectionRecord {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionRecord.class);

	private final String listener;

	private final boolean enabled;

	ConnectionRecord(String listener, boolean enabled) {
		this.listener = listener;
		this.enabled = enabled;
	}

	void closed(GreetingConnection connection) {
		if (!this.enabled || !logger.isInfoEnabled()) {
			return;
		}
		InetSocketAddress client = connection.realClient();
		LoggingEventBuilder record = identify(logger.atInfo(), this.listener, connection, client,
				connection.greeting());
		record.addKeyValue("outcome", connection.outcome())
			.addKeyValue("duration_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connection.openedNanos()))
			.addKeyValue("bytes", connection.greetingBytes())
			.log("Connection closed with {}", ConnectionGreeter.describe(connection, client));
	}

	/**
	 * The key-values that say which connection an event is about.
	 * @param event the event being built
	 * @param listener the listener's name
	 * @param connection the connection
	 * @param client the real client, when a PROXY header named one
	 * @param greeting the greeting served, when one was
	 * @return the event
	 */
	static LoggingEventBuilder identify(LoggingEventBuilder event, String listener, TcpConnection connection,
			@Nullable InetSocketAddress client, @Nullable ServedGreeting greeting) {
		String peer = AddressText.of(connection.getSocketInfo().getInetAddress());
		event.addKeyValue("listener", listener);
		if (client != null) {
			event.addKeyValue("client.address", AddressText.of(client.getAddress()))
				.addKeyValue("client.port", client.getPort())
				.addKeyValue("proxy.address", peer)
				.addKeyValue("proxy.port", connection.getPort());
		}
		else {
			event.addKeyValue("client.address", peer).addKeyValue("client.port", connection.getPort());
		}
		if (greeting != null) {
			event.addKeyValue("greeting.sha256", greeting.shortSha256());
		}
		return event;
	}

}
