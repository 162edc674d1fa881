package dev.greeter.server.tcp;

import dev.greeter.server.ListenerObserver;
import dev.greeter.server.ListenerObservers;
import dev.greeter.server.ListenerProperties;
import dev.greeter.server.Listeners;
import dev.greeter.server.ServerSettings;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.ip.tcp.connection.TcpConnection;
import org.springframework.util.ClassUtils;

import dev.greeter.greeting.GreetingProperties;
import dev.greeter.support.Causes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The connection support on its own ({@link GreetingServerConnectionFactory} and
 * {@link GreetingConnection}), in the manner of Spring Integration's
 * {@code TcpNetConnectionTests}: a listener made by its configuration in an
 * {@link ApplicationContextRunner}, real sockets on 127.0.0.1, and an observer that
 * records what the connection reports, in order. No meters, no actuator. Each case on
 * both paths a connection can take (the drain selector, or a thread of its own), which
 * must report the same.
 */
class GreetingConnectionTests {

	// Package-private in its own package, as every configuration class here.
	private static final Class<?> SERVER = ClassUtils.resolveClassName("dev.greeter.server.GreetingServerConfiguration",
			null);

	private static final Class<?> GREETINGS = ClassUtils.resolveClassName("dev.greeter.greeting.GreetingConfiguration",
			null);

	private static final List<String> events = new CopyOnWriteArrayList<>();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class,
				TaskExecutionAutoConfiguration.class, IntegrationAutoConfiguration.class))
		.withUserConfiguration(Server.class, SERVER, GREETINGS)
		.withPropertyValues("greeter.server.address=127.0.0.1", "greeter.server.port=0", "greeter.greeting=hi");

	@ParameterizedTest
	@EnumSource
	void theGreetingIsFollowedByAHalfCloseAndWhatTheClientSendsThenIsDrained(Path path) {
		events.clear();
		path.on(this.contextRunner).run((context) -> {
			try (Socket socket = connect(context.getBean(Listeners.class))) {
				InputStream input = socket.getInputStream();
				assertThat(input.readAllBytes()).asString().isEqualTo("hi\r\n");
				// The server's side is half-closed, not closed: it still reads, so what
				// the client sends now is drained, never answered with a reset.
				OutputStream output = socket.getOutputStream();
				output.write(new byte[256 * 1024]);
				output.flush();
				assertThat(events).doesNotContain("closed");
			}
			await("the close to be reported").atMost(Duration.ofSeconds(10)).until(() -> events.contains("closed"));
			assertThat(events).containsExactly("opened", "greetingSent 4", "ended: closed by client", "closed");
		});
	}

	@ParameterizedTest
	@EnumSource
	void aClientThatStaysConnectedIsClosedWhenTheLingerEnds(Path path) {
		events.clear();
		path.on(this.contextRunner).withPropertyValues("greeter.server.linger=200ms").run((context) -> {
			try (Socket socket = connect(context.getBean(Listeners.class))) {
				assertThat(socket.getInputStream().readAllBytes()).asString().isEqualTo("hi\r\n");
				await("the linger to end the connection").atMost(Duration.ofSeconds(10))
					.until(() -> events.contains("closed"));
				assertThat(events).containsExactly("opened", "greetingSent 4",
						"ended: client still connected after greeter.server.linger", "closed");
				assertThat(socket.getInputStream().read()).as("the server's close, seen as an end").isEqualTo(-1);
			}
		});
	}

	@ParameterizedTest
	@EnumSource
	void aClientThatResetsAfterItsGreetingIsAQuietCloseNotAFailure(Path path) {
		events.clear();
		path.on(this.contextRunner).run((context) -> {
			try (Socket socket = connect(context.getBean(Listeners.class))) {
				assertThat(socket.getInputStream().readAllBytes()).asString().isEqualTo("hi\r\n");
				socket.setSoLinger(true, 0);
			}
			await("the close to be reported").atMost(Duration.ofSeconds(10)).until(() -> events.contains("closed"));
			assertThat(events).hasSize(4)
				.startsWith("opened", "greetingSent 4")
				.endsWith("closed")
				.noneMatch((event) -> event.startsWith("greetingAborted"));
			assertThat(events.get(2)).startsWith("ended: connection aborted: ");
		});
	}

	/**
	 * The two ways a connection is run, which must report alike.
	 */
	enum Path {

		/** A plain listener: greeted on the accepting thread, drained by the selector. */
		SELECTOR,

		/**
		 * A listener that may wait for a PROXY header: the connection's own thread, its
		 * blocking drain and the linger sweep. A client that sends none is greeted as
		 * itself after the header's timeout.
		 */
		THREAD;

		ApplicationContextRunner on(ApplicationContextRunner runner) {
			return (this == SELECTOR) ? runner : runner.withPropertyValues("greeter.server.proxy-protocol=optional",
					"greeter.server.proxy-protocol-timeout=50ms");
		}

	}

	private static Socket connect(Listeners listeners) throws Exception {
		Socket socket = new Socket("127.0.0.1", listeners.all().get(0).port());
		socket.setSoTimeout(10_000);
		return socket;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties({ ServerSettings.class, ListenerProperties.class, GreetingProperties.class })
	static class Server {

		@Bean
		ListenerObservers recordingObservers() {
			return (listener) -> new ListenerObserver() {

				@Override
				public void opened(TcpConnection connection) {
					events.add("opened");
				}

				@Override
				public void greetingSent(TcpConnection connection, int bytes) {
					events.add("greetingSent " + bytes);
				}

				@Override
				public void greetingAborted(TcpConnection connection, Throwable cause) {
					events.add("greetingAborted " + cause);
				}

				@Override
				public void failed(TcpConnection connection, Throwable cause) {
					// How the read ended: the metrics tell who ended the connection from
					// this.
					events.add("ended: " + Causes.unwrapped(cause).getMessage());
				}

				@Override
				public void closed(TcpConnection connection) {
					events.add("closed");
				}

			};
		}

	}

}
