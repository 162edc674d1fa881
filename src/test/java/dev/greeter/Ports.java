package dev.greeter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free loopback ports, for the tools a test starts (HAProxy, Prometheus, a container)
 * that cannot bind port 0 and say which port they got. Our own server binds port 0 and
 * publishes the port instead; use this only where that is not possible.
 */
public final class Ports {

	private Ports() {
	}

	/**
	 * A port on 127.0.0.1 that was free a moment ago.
	 * @return the port
	 */
	public static int free() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("no free port on 127.0.0.1", ex);
		}
	}

}
