package dev.greeter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.integration.ip.tcp.connection.TcpConnectionCloseEvent;

/**
 * The whole application, started on 127.0.0.1 and a free port, for tests that talk to it
 * over real sockets. It counts closed server connections so that a test can wait for the
 * server's side of a connection to end instead of sleeping.
 */
public final class RunningServer implements AutoCloseable {

	public static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

	// HttpClient is AutoCloseable from Java 21 only; the tests are compiled for 17, so
	// one client serves all.
	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(CLIENT_TIMEOUT).build();

	private final ConfigurableApplicationContext context;

	private final AtomicInteger closed = new AtomicInteger();

	private RunningServer(WebApplicationType web, String... properties) {
		// Command-line arguments, not default properties: application.properties must not
		// win over them.
		List<String> arguments = new ArrayList<>(List.of("--greeter.server.port=0", "--server.port=0",
				"--server.address=127.0.0.1", "--spring.main.banner-mode=off"));
		// 127.0.0.1 unless the test binds elsewhere ([::1], say): a property given twice
		// would bind as a list.
		if (Arrays.stream(properties).noneMatch((property) -> property.startsWith("greeter.server.address="))) {
			arguments.add("--greeter.server.address=127.0.0.1");
		}
		for (String property : properties) {
			arguments.add("--" + property);
		}
		this.context = new SpringApplicationBuilder(GreeterApplication.class).web(web)
			.listeners(new CloseCounter(this.closed))
			.run(arguments.toArray(String[]::new));
	}

	/**
	 * Start the TCP server alone, without the HTTP server.
	 * @param properties extra settings, {@code name=value}
	 * @return the running server
	 */
	public static RunningServer start(String... properties) {
		return new RunningServer(WebApplicationType.NONE, properties);
	}

	/**
	 * Start the whole application, actuator over HTTP on a free port included.
	 * @param properties extra settings, {@code name=value}
	 * @return the running server
	 */
	public static RunningServer startWithActuator(String... properties) {
		return new RunningServer(WebApplicationType.SERVLET, properties);
	}

	/**
	 * The base address of the actuator endpoints.
	 * @return for example {@code http://127.0.0.1:41234/actuator}
	 */
	public URI actuator() {
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		return URI.create("http://127.0.0.1:" + port + "/actuator");
	}

	/**
	 * GET an actuator path over real HTTP.
	 * @param path for example {@code /health}
	 * @return the response
	 * @throws IOException on a connection error
	 * @throws InterruptedException if interrupted
	 */
	public HttpResponse<String> get(String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(actuator() + path)).timeout(CLIENT_TIMEOUT).build();
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * The greeting port really bound, as the application publishes it.
	 * @return the port
	 */
	public int port() {
		return port("default");
	}

	/**
	 * A listener's port really bound, as the application publishes it
	 * ({@code local.greeter.listener.<name>.port}).
	 * @param listener the listener's name
	 * @return the port
	 */
	public int port(String listener) {
		return this.context.getEnvironment()
			.getRequiredProperty("local.greeter.listener." + listener + ".port", Integer.class);
	}

	/**
	 * How many server connections have closed so far.
	 * @return the count
	 */
	public int closedConnections() {
		return this.closed.get();
	}

	public ConfigurableApplicationContext context() {
		return this.context;
	}

	public Socket connect() throws IOException {
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
	public byte[] fetch() throws IOException {
		try (Socket socket = connect()) {
			return readToEnd(socket.getInputStream());
		}
	}

	public static byte[] readToEnd(InputStream input) throws IOException {
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
