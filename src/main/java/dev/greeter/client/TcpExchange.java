package dev.greeter.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
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

	TcpExchange(ClientProperties properties, @Nullable SSLContext tls) {
		this.properties = properties;
		this.tls = tls;
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
			return new ClientFailure(FailureKind.CONNECT, "unknown host " + this.properties.host());
		}
		int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, this.properties.timeout().toMillis());
		long start = System.nanoTime();
		try (Socket socket = new Socket()) {
			try {
				socket.connect(server, timeoutMillis);
			}
			catch (SocketTimeoutException ex) {
				return new ClientFailure(FailureKind.CONNECT,
						"cannot connect to " + target + ": connect timed out (greeter.client.timeout)");
			}
			catch (ConnectException | NoRouteToHostException | UnknownHostException ex) {
				return new ClientFailure(FailureKind.CONNECT,
						"cannot connect to " + target + ": " + FailureKind.describe(ex));
			}
			timing.connected(System.nanoTime() - start);
			Socket served = (this.tls != null) ? layer(socket) : socket;
			return read(served, System.nanoTime() + this.properties.timeout().toNanos());
		}
		catch (SocketTimeoutException ex) {
			return new ClientFailure(FailureKind.TIMEOUT, "no complete greeting from " + target + " within "
					+ this.properties.timeout().toMillis() + " ms (greeter.client.timeout)");
		}
		catch (GreetingTooLargeException ex) {
			return new ClientFailure(FailureKind.TOO_LARGE, "the greeting from " + target + " is larger than "
					+ this.properties.maxSize() + " (greeter.client.max-size)");
		}
		catch (EOFException ex) {
			return new ClientFailure(FailureKind.NO_GREETING, target + " closed the connection without a greeting");
		}
		catch (SSLException ex) {
			return new ClientFailure(FailureKind.RESET,
					"TLS with " + target + " failed before the greeting ended: " + FailureKind.describe(ex));
		}
		catch (IOException ex) {
			return new ClientFailure(FailureKind.RESET,
					"connection to " + target + " failed before the greeting ended: " + FailureKind.describe(ex));
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

	private byte[] read(Socket socket, long deadline) throws IOException {
		long maxSize = this.properties.maxSize().toBytes();
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		InputStream input = socket.getInputStream();
		byte[] buffer = new byte[8192];
		while (true) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				throw new SocketTimeoutException("greeting timed out");
			}
			socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, remaining / 1_000_000)));
			int count = input.read(buffer);
			if (count < 0) {
				if (received.size() == 0) {
					throw new EOFException();
				}
				return received.toByteArray();
			}
			received.write(buffer, 0, count);
			if (received.size() > maxSize) {
				throw new GreetingTooLargeException((int) maxSize);
			}
		}
	}

	/**
	 * Where an exchange says how long connecting took.
	 */
	interface Timing {

		void connected(long nanos);

	}

}
