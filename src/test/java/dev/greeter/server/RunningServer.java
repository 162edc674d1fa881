package dev.greeter.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.integration.ip.tcp.connection.TcpConnectionCloseEvent;
import org.springframework.integration.ip.tcp.connection.TcpNetServerConnectionFactory;

import dev.greeter.GreeterApplication;

/**
 * The whole application, started on 127.0.0.1 and a free port, for tests that talk to it
 * over real sockets. It counts closed server connections so that a test can wait for the
 * server's side of a connection to end instead of sleeping.
 */
final class RunningServer implements AutoCloseable {

	static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

	private final ConfigurableApplicationContext context;

	private final AtomicInteger closed = new AtomicInteger();

	private RunningServer(String... properties) {
		List<String> all = new ArrayList<>(
				List.of("greeter.server.port=0", "greeter.server.address=127.0.0.1", "spring.main.banner-mode=off"));
		all.addAll(List.of(properties));
		this.context = new SpringApplicationBuilder(GreeterApplication.class).web(WebApplicationType.NONE)
			.properties(all.toArray(String[]::new))
			.listeners(new CloseCounter(this.closed))
			.run();
	}

	static RunningServer start(String... properties) {
		return new RunningServer(properties);
	}

	int port() {
		return this.context.getBean(TcpNetServerConnectionFactory.class).getPort();
	}

	/**
	 * How many server connections have closed so far.
	 * @return the count
	 */
	int closedConnections() {
		return this.closed.get();
	}

	ConfigurableApplicationContext context() {
		return this.context;
	}

	Socket connect() throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port()), (int) CLIENT_TIMEOUT.toMillis());
		socket.setSoTimeout((int) CLIENT_TIMEOUT.toMillis());
		return socket;
	}

	/**
	 * Connect, read until the server closes, and return everything read.
	 * @return the bytes received
	 * @throws IOException on a connection error, a reset included
	 */
	byte[] fetch() throws IOException {
		try (Socket socket = connect()) {
			return readToEnd(socket.getInputStream());
		}
	}

	static byte[] readToEnd(InputStream input) throws IOException {
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		input.transferTo(received);
		return received.toByteArray();
	}

	@Override
	public void close() {
		this.context.close();
	}

	private record CloseCounter(AtomicInteger closed) implements ApplicationListener<TcpConnectionCloseEvent> {

		@Override
		public void onApplicationEvent(TcpConnectionCloseEvent event) {
			this.closed.incrementAndGet();
		}

	}

}
