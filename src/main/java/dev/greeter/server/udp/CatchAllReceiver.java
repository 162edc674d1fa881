package dev.greeter.server.udp;

import dev.greeter.server.DatagramDrop;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receive loop of one catch-all socket, on a platform thread of its own: each
 * datagram is answered from the address it was sent to, or, where the socket cannot tell
 * that address, dropped and counted as {@code unknown_destination}.
 *
 * @author tcp-greeter team
 */
final class CatchAllReceiver implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(CatchAllReceiver.class);

	private static final long MIN_BACKOFF_MILLIS = 10;

	private static final long MAX_BACKOFF_MILLIS = 500;

	private final CatchAllSocket socket;

	private final UdpGreeter greeter;

	private final Thread thread;

	private volatile boolean stopped;

	CatchAllReceiver(CatchAllSocket socket, UdpGreeter greeter) {
		this.socket = socket;
		this.greeter = greeter;
		String family = !socket.readsDestination() ? "any"
				: (socket.localAddress().getAddress() instanceof Inet6Address) ? "any6" : "any4";
		this.thread = new Thread(this, greeter.threadName(family));
		this.thread.setDaemon(true);
	}

	void start() {
		this.thread.start();
	}

	boolean isRunning() {
		return this.thread.isAlive() && !this.stopped;
	}

	@Override
	public void run() {
		long backoff = 0;
		try {
			while (!this.stopped) {
				CatchAllSocket.Received received;
				try {
					received = this.socket.receive();
					backoff = 0;
				}
				catch (IOException ex) {
					// What runs out (buffers, memory) passes: reported rate-limited, and
					// the loop backs off and receives again, as the accept loop does.
					this.greeter.receiveFailed(this.socket.localAddress() + ": " + ex.getMessage());
					backoff = Math.min(MAX_BACKOFF_MILLIS, Math.max(MIN_BACKOFF_MILLIS, backoff * 2));
					Thread.sleep(backoff);
					continue;
				}
				if (received != null && !this.stopped) {
					answer(received);
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			if (!this.stopped) {
				// A bug: health says DOWN from now on (isRunning), so the process is
				// taken out of service rather than left answering on some addresses
				// only.
				logger.error("The catch-all socket {} of UDP listener '{}' stopped receiving: {}",
						this.socket.localAddress(), this.greeter.name(), ex.toString(), ex);
			}
		}
		finally {
			this.stopped = true;
			this.socket.close();
			this.socket.release();
		}
	}

	private void answer(CatchAllSocket.Received received) {
		InetSocketAddress source = received.source();
		InetAddress destination = received.destination();
		if (destination == null) {
			this.greeter.datagramCaught();
			this.greeter.dropped(DatagramDrop.UNKNOWN_DESTINATION, source,
					"sent to a local address that no socket of the listener is bound to, and this runtime cannot "
							+ "tell which (" + CatchAllSockets.support().missing() + ")");
			return;
		}
		byte[] reply = this.greeter.answer(source);
		if (reply == null) {
			return;
		}
		try {
			this.socket.reply(reply, received);
			this.greeter.replied(reply.length);
		}
		catch (IOException ex) {
			this.greeter.dropped(DatagramDrop.SEND_FAILED, source, String.valueOf(ex.getMessage()));
		}
	}

	void stop() {
		this.stopped = true;
		this.socket.close();
	}

}
