package dev.greeter.client;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The UDP client: for each of {@code greeter.client.count} exchanges, at most
 * {@code greeter.client.concurrency} at a time, sends a datagram and waits for the reply,
 * asking again {@code greeter.client.udp.retries} times within
 * {@code greeter.client.timeout}. Outcomes are the same as for TCP: the reply's bytes, or
 * a {@link ClientFailure} with the same exit statuses.
 * <p>
 * The reply is read from a socket connected to the server, so that only the server's
 * reply is accepted and an ICMP "port unreachable" is reported as such. The datagram
 * leaves from a second socket on the same port ({@code SO_REUSEPORT}) that is not
 * connected: the JDK's connected datagram socket silently sends nothing for an empty
 * datagram, which is what this client sends by default.
 *
 * @author tcp-greeter team
 */
final class DatagramFetcher implements Fetcher {

	// The largest UDP payload over IPv4.
	private static final int MAX_DATAGRAM = 65_507;

	private final ClientProperties properties;

	DatagramFetcher(ClientProperties properties) {
		this.properties = properties;
	}

	@Override
	public void fetch(Consumer<Object> consumer) {
		int count = this.properties.count();
		int concurrency = Math.min(this.properties.concurrency(), count);
		LinkedBlockingQueue<Object> outcomes = new LinkedBlockingQueue<>();
		AtomicInteger next = new AtomicInteger();
		ExecutorService askers = Fetcher.workers(concurrency, "greeter-client-udp");
		try {
			for (int i = 0; i < concurrency; i++) {
				askers.execute(() -> {
					while (next.getAndIncrement() < count) {
						outcomes.add(exchange());
					}
				});
			}
			// Each exchange ends within the timeout; the rest is a margin for a loaded
			// machine.
			long waitMillis = this.properties.timeout().toMillis() + 5_000;
			for (int received = 0; received < count; received++) {
				Object outcome = outcomes.poll(waitMillis, TimeUnit.MILLISECONDS);
				consumer.accept((outcome != null) ? outcome : new ClientFailure(FailureKind.TIMEOUT,
						"no outcome from " + this.properties.target() + " in time"));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			askers.shutdownNow();
		}
	}

	Object exchange() {
		String target = this.properties.target();
		InetSocketAddress server = new InetSocketAddress(this.properties.host(), this.properties.port());
		if (server.isUnresolved()) {
			return new ClientFailure(FailureKind.CONNECT, "unknown host " + this.properties.host());
		}
		int attempts = this.properties.udp().retries() + 1;
		int waitMillis = (int) Math.max(1, this.properties.timeout().toMillis() / attempts);
		byte[] request = this.properties.udp().payload().getBytes(StandardCharsets.UTF_8);
		int maxSize = (int) Math.min(this.properties.maxSize().toBytes(), MAX_DATAGRAM);
		byte[] buffer = new byte[maxSize + 1];
		try (DatagramSocket socket = new DatagramSocket(null); DatagramSocket sender = new DatagramSocket(null)) {
			socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
			sender.setOption(StandardSocketOptions.SO_REUSEPORT, true);
			socket.bind(new InetSocketAddress((server.getAddress() instanceof Inet6Address) ? "::" : "0.0.0.0", 0));
			sender.bind(socket.getLocalSocketAddress());
			socket.connect(server);
			socket.setSoTimeout(waitMillis);
			for (int attempt = 1; attempt <= attempts; attempt++) {
				sender.send(new DatagramPacket(request, request.length, server));
				DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
				try {
					socket.receive(reply);
				}
				catch (SocketTimeoutException ex) {
					continue; // lost, or not answered yet: ask again
				}
				if (reply.getLength() > maxSize) {
					return new ClientFailure(FailureKind.TOO_LARGE,
							"reply from " + target + " larger than greeter.client.max-size (" + maxSize + " bytes)");
				}
				if (reply.getLength() == 0) {
					return new ClientFailure(FailureKind.NO_GREETING, target + " replied with an empty datagram");
				}
				return Arrays.copyOf(buffer, reply.getLength());
			}
			return new ClientFailure(FailureKind.TIMEOUT, "no reply from " + target + " to " + attempts
					+ " datagram(s) within greeter.client.timeout (" + this.properties.timeout().toMillis() + " ms)");
		}
		catch (PortUnreachableException ex) {
			return new ClientFailure(FailureKind.CONNECT,
					"cannot reach " + target + " over UDP: port unreachable (nothing listens there)");
		}
		catch (IOException ex) {
			return new ClientFailure(FailureKind.CONNECT,
					"cannot reach " + target + " over UDP: " + FailureKind.describe(ex));
		}
	}

}
