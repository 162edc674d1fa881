package dev.greeter.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.serializer.Serializer;
import org.springframework.integration.ip.tcp.connection.TcpNetConnection;
import org.springframework.integration.ip.tcp.connection.TcpNetConnectionSupport;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;

/**
 * Creates the server's connections: Spring Integration's {@link TcpNetConnection}, except
 * that a send writes straight to the socket.
 * <p>
 * Why: the framework wraps each connection's output in a {@code BufferedOutputStream} as
 * large as the socket's send buffer, which the kernel's autotuning makes megabytes large
 * on a fast link. For a greeting of a few dozen bytes, written once, that was 94% of all
 * memory the server allocated under load (a JFR allocation profile, docs/BENCHMARKS.md).
 * The greeting is one array, so one unbuffered write is what the buffer would have done
 * anyway.
 *
 * @author tcp-greeter team
 */
final class GreetingConnectionSupport implements TcpNetConnectionSupport {

	@Override
	public TcpNetConnection createNewConnection(Socket socket, boolean server, boolean lookupHost,
			@Nullable ApplicationEventPublisher applicationEventPublisher, @Nullable String connectionFactoryName) {
		return new GreetingConnection(socket, server, lookupHost, applicationEventPublisher, connectionFactoryName);
	}

	/**
	 * A connection whose sends are unbuffered, with the framework's handling of a failed
	 * send.
	 */
	static final class GreetingConnection extends TcpNetConnection {

		private final Socket socket;

		private final Lock sendLock = new ReentrantLock();

		GreetingConnection(Socket socket, boolean server, boolean lookupHost,
				@Nullable ApplicationEventPublisher applicationEventPublisher, @Nullable String connectionFactoryName) {
			super(socket, server, lookupHost, applicationEventPublisher, connectionFactoryName);
			this.socket = socket;
		}

		@Override
		@SuppressWarnings("unchecked")
		public void send(Message<?> message) {
			this.sendLock.lock();
			try {
				Object payload = getMapper().fromMessage(message);
				if (payload == null) {
					throw new IllegalStateException("The mapper returned null for message: " + message);
				}
				OutputStream output = this.socket.getOutputStream();
				((Serializer<Object>) getSerializer()).serialize(payload, output);
				output.flush();
			}
			catch (IOException | RuntimeException ex) {
				// As TcpNetConnection does: tell the listeners, close, and let the sender
				// know.
				MessagingException failure = new MessagingException(message, "Send Failed", ex);
				publishConnectionExceptionEvent(failure);
				closeConnection(true);
				throw failure;
			}
			finally {
				this.sendLock.unlock();
			}
		}

	}

}
