package dev.greeter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Two ends of one real TCP connection on 127.0.0.1, new for each test, for tests of what
 * reads or writes a socket's streams: the framework's deserializers see a real socket's
 * ends of stream, resets and partial reads, which a byte-array stream would not give
 * them. Register it as a field: {@code @RegisterExtension final SocketPair sockets = new
 * SocketPair();}. Both ends time out reads after 10 s, so that a test that waits wrongly
 * ends.
 */
public final class SocketPair implements BeforeEachCallback, AfterEachCallback {

	private @Nullable Socket client;

	private @Nullable Socket server;

	@Override
	public void beforeEach(ExtensionContext context) throws IOException {
		try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			this.client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
			this.server = listener.accept();
			this.client.setSoTimeout(10_000);
			this.server.setSoTimeout(10_000);
		}
	}

	@Override
	public void afterEach(ExtensionContext context) throws IOException {
		if (this.client != null) {
			this.client.close();
		}
		if (this.server != null) {
			this.server.close();
		}
	}

	public Socket client() {
		return require(this.client);
	}

	public Socket server() {
		return require(this.server);
	}

	private static Socket require(@Nullable Socket socket) {
		if (socket == null) {
			throw new IllegalStateException("not connected: register SocketPair with @RegisterExtension");
		}
		return socket;
	}

}
