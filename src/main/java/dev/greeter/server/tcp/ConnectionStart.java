package dev.greeter.server.tcp;

import dev.greeter.server.AddressText;
import dev.greeter.server.ListenerObserver;
import dev.greeter.server.ListenerSettings;
import dev.greeter.server.RateLimitedWarning;
import dev.greeter.server.ServerTimers;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.greeter.proxy.InvalidProxyHeaderException;
import dev.greeter.proxy.ProxyHeader;
import dev.greeter.proxy.ProxyHeaderReader;

/**
 * What happens to an accepted socket, on its own thread, before it becomes a connection:
 * its PROXY protocol header is read from the plain socket, then TLS starts on the same
 * socket with whatever was read past the header, as a load balancer that sends
 * {@code send-proxy-v2} in front of TLS passthrough needs. A socket without a valid
 * header is closed here, counted and reported, and never becomes a connection.
 *
 * @author tcp-greeter team
 */
final class ConnectionStart {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionStart.class);

	private final @Nullable ProxyHeaderReader proxyHeaders;

	private final @Nullable TlsLayer tls;

	private final ListenerObserver observer;

	private final RateLimitedWarning proxyRejections;

	private final AtomicInteger starting = new AtomicInteger();

	ConnectionStart(ListenerSettings settings, @Nullable ProxyHeaderReader proxyHeaders, @Nullable TlsLayer tls,
			ListenerObserver observer, ServerTimers timers) {
		this.proxyHeaders = proxyHeaders;
		this.tls = tls;
		this.observer = observer;
		this.proxyRejections = timers.warning(logger, "{} connection(s) closed without a greeting since the last "
				+ "report: no valid PROXY protocol header (" + settings.property("proxy-protocol") + "); the last: {}");
	}

	/**
	 * Read the header and start TLS, as configured.
	 * @param socket the accepted socket
	 * @return the socket to serve and the real client, or {@code null} when the socket
	 * was refused and closed
	 * @throws IOException when the client went away meanwhile
	 */
	@Nullable Started start(Socket socket) throws IOException {
		this.starting.incrementAndGet();
		try {
			return startCounted(socket);
		}
		finally {
			this.starting.decrementAndGet();
		}
	}

	/**
	 * Whether the listener starts TLS on every socket: its handshake is a conversation,
	 * whose messages must leave at once.
	 * @return true for a TLS listener
	 */
	boolean encrypts() {
		return this.tls != null;
	}

	/**
	 * Whether an accepted socket is the connection as it is: no PROXY header to read and
	 * no TLS to start, so that nothing has to be waited for before the greeting.
	 * @return true for a plain listener
	 */
	boolean passesThrough() {
		return this.proxyHeaders == null && this.tls == null;
	}

	/**
	 * How many sockets are being started now: waiting for their PROXY header, mostly.
	 * @return the count
	 */
	int starting() {
		return this.starting.get();
	}

	private @Nullable Started startCounted(Socket socket) throws IOException {
		@Nullable ProxyHeader header = null;
		@Nullable InputStream consumed = null;
		if (this.proxyHeaders != null) {
			InputStream input = socket.getInputStream();
			int soTimeout = socket.getSoTimeout();
			try {
				ProxyHeaderReader.Read read = this.proxyHeaders.read((buffer, offset, length, timeoutMillis) -> {
					if (input.available() > 0) {
						// Here already, as a header mostly is: a read without a timeout
						// returns at once. A timed read of the JDK's socket channel
						// switches the socket to non-blocking and back around every read,
						// four system calls more a connection (docs/BENCHMARKS.md).
						return input.read(buffer, offset, length);
					}
					socket.setSoTimeout(timeoutMillis);
					return input.read(buffer, offset, length);
				});
				header = read.header();
				consumed = read.remainder();
			}
			catch (InvalidProxyHeaderException ex) {
				// Counted and reported before the close, so that a client that sees its
				// rejection also sees it counted.
				this.observer.proxyHeaderRejected(ex.reason());
				this.proxyRejections
					.occurred(AddressText.withPort(socket.getInetAddress(), socket.getPort()) + " " + ex.getMessage());
				socket.close();
				return null;
			}
			finally {
				if (!socket.isClosed()) {
					socket.setSoTimeout(soTimeout);
				}
			}
			if (header != null) {
				this.observer.proxyHeaderAccepted(header.version());
			}
		}
		Socket served = (this.tls != null) ? this.tls.layer(socket, consumed) : socket;
		return new Started(served, (header != null) ? header.source() : null);
	}

	/**
	 * A socket ready to be greeted.
	 *
	 * @param socket the socket to read and write: TLS over the accepted one, or that one
	 * @param realClient the client a PROXY header named, if it named one
	 */
	record Started(Socket socket, @Nullable InetSocketAddress realClient) {

	}

}
