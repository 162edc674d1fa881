package dev.greeter.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw TCP server on 127.0.0.1 that treats each connection the way a test scripts it:
 * the misbehaving servers the client must report (silent, too talkative, resetting) and
 * servers the client cannot tell from tcp-greeter. It keeps track of how many connections
 * are open at once.
 */
final class ScriptedServer implements AutoCloseable {

	/**
	 * What the server does with the n-th connection (counted from 0).
	 */
	@FunctionalInterface
	interface Script {

		void handle(Socket socket, int n) throws Exception;

	}

	private final ServerSocket serverSocket;

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final AtomicInteger accepted = new AtomicInteger();

	private final AtomicInteger open = new AtomicInteger();

	private final AtomicInteger mostOpen = new AtomicInteger();

	private ScriptedServer(Script script) throws IOException {
		this.serverSocket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
		this.threads.execute(() -> {
			while (!this.serverSocket.isClosed()) {
				try {
					Socket socket = this.serverSocket.accept();
					int n = this.accepted.getAndIncrement();
					this.mostOpen.accumulateAndGet(this.open.incrementAndGet(), Math::max);
					this.threads.execute(() -> {
						try (socket) {
							script.handle(socket, n);
						}
						catch (Exception ex) {
							// the client went away: nothing to do for a test server
						}
						finally {
							this.open.decrementAndGet();
						}
					});
				}
				catch (IOException ex) {
					return; // closed
				}
			}
		});
	}

	static ScriptedServer start(Script script) throws IOException {
		return new ScriptedServer(script);
	}

	int port() {
		return this.serverSocket.getLocalPort();
	}

	int accepted() {
		return this.accepted.get();
	}

	int mostOpenAtOnce() {
		return this.mostOpen.get();
	}

	@Override
	public void close() throws IOException, InterruptedException {
		this.serverSocket.close();
		this.threads.shutdownNow();
		this.threads.awaitTermination(10, TimeUnit.SECONDS);
	}

}
