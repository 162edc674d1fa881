package dev.greeter.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.jspecify.annotations.Nullable;

import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;

/**
 * One connection of the watch mode, made and timed on the calling thread: connect, read
 * to the end of the greeting, close. The same bounds as the other client: the timeout for
 * connecting, then the timeout for the whole greeting, and {@code max-size}. With an SSL
 * bundle the server's certificate must match the host name, as for the other client.
 *
 * @author tcp-greeter team
 */
final class TcpExchange {

	private final ClientProperties properties;

	private final @Nullable SSLContext tls;

	private final ReadToEndDeserializer greeting;

	TcpExchange(ClientProperties properties, @Nullable SSLContext tls) {
		this.properties = properties;
		this.tls = tls;
		this.greeting = new ReadToEndDeserializer((int) properties.maxSize().toBytes(), properties.timeout());
	}

	/**
	 * Make one connection.
	 * @param timing where the connect time goes
	 * @return the greeting's bytes, or a {@link ClientFailure}
	 */
	Object exchange(Timing timing) {
		String target = this.properties.target();
		InetSocketAddress server = new InetSocketAddress(this.properties.host(), this.properties.port());
		if (server.isUnresolved()) {
			return ClientFailure.ofConnect(new UnknownHostException(this.properties.host()), this.properties);
		}
		int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, this.properties.timeout().toMillis());
		long start = System.nanoTime();
		try (Socket socket = new Socket()) {
			try {
				socket.connect(server, timeoutMillis);
			}
			catch (SocketTimeoutException | ConnectException | NoRouteToHostException | UnknownHostException ex) {
				return ClientFailure.ofConnect(ex, this.properties);
			}
			timing.connected(System.nanoTime() - start);
			this.properties.proxy().sendOn(socket);
			Socket served = (this.tls != null) ? layer(socket) : socket;
			return this.greeting
				.deserialize(withDeadline(served, System.nanoTime() + this.properties.timeout().toNanos()));
		}
		catch (SocketTimeoutException ex) {
			return ClientFailure.ofRead(FailureKind.TIMEOUT, ex, this.properties);
		}
		catch (GreetingTooLargeException ex) {
			return ClientFailure.ofRead(FailureKind.TOO_LARGE, ex, this.properties);
		}
		catch (SoftEndOfStreamException ex) {
			return ClientFailure.ofRead(FailureKind.NO_GREETING, ex, this.properties);
		}
		catch (SSLException ex) {
			return new ClientFailure(FailureKind.RESET,
					"TLS with " + target + " failed before the greeting ended: " + FailureKind.describe(ex));
		}
		catch (IOException ex) {
			return ClientFailure.ofRead(FailureKind.RESET, ex, this.properties);
		}
	}

	private SSLSocket layer(Socket socket) throws IOException {
		SSLSocket tls = (SSLSocket) this.tls.getSocketFactory()
			.createSocket(socket, this.properties.host(), this.properties.port(), true);
		SSLParameters parameters = tls.getSSLParameters();
		parameters.setEndpointIdentificationAlgorithm("HTTPS");
		tls.setSSLParameters(parameters);
		return tls;
	}

	// The greeting is read as the other client reads it (ReadToEndDeserializer), each
	// read waiting at most until the deadline: the timeout bounds the whole greeting,
	// even a server that goes quiet halfway.
	private static InputStream withDeadline(Socket socket, long deadline) throws IOException {
		InputStream input = socket.getInputStream();
		return new InputStream() {

			@Override
			public int read() throws IOException {
				byte[] one = new byte[1];
				return (read(one, 0, 1) < 0) ? -1 : one[0] & 0xff;
			}

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					throw new SocketTimeoutException("greeting timed out");
				}
				socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, remaining / 1_000_000)));
				return input.read(buffer, offset, length);
			}

		};
	}

	/**
	 * Where an exchange says how long connecting took.
	 */
	interface Timing {

		void connected(long nanos);

	}

}
