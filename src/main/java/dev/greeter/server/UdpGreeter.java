package dev.greeter.server;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.context.IntegrationFlowContext;
import org.springframework.integration.handler.advice.AbstractRequestHandlerAdvice;
import org.springframework.integration.ip.IpHeaders;
import org.springframework.integration.ip.dsl.Udp;
import org.springframework.integration.ip.udp.inbound.UnicastReceivingChannelAdapter;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;

import dev.greeter.greeting.ConnectionFacts;
import dev.greeter.greeting.GreetingSource;
import dev.greeter.greeting.GreetingTemplate;
import dev.greeter.greeting.ServedGreeting;

/**
 * One UDP listener, on Spring Integration's UDP support: every datagram gets one datagram
 * back with the rendered greeting (RFC 865 and 867 define qotd and daytime so for UDP),
 * what the datagram carried is ignored.
 * <p>
 * The reply leaves from the address and port the request was sent to, or a client's
 * connected socket and conntrack would drop it. A socket bound to the wildcard address
 * sends from whatever address the route picks, and Java cannot ask the kernel which
 * address a datagram came to, so a listener without an address binds one socket per local
 * address (as BIND and ntpd do), each with its own inbound adapter, and each reply goes
 * out through the socket its request came in on. Addresses are listed at start-up; one
 * added later is not served until a restart.
 * <p>
 * It must not amplify: a reply is at most {@code udp.max-reply-size}, and replies are
 * rate-limited per source and in total ({@link ReplyLimiter}); every datagram that gets
 * no reply is counted by reason and reported rate-limited. Each socket's one thread
 * receives and replies, so a flood waits in the kernel's receive buffer, never in a queue
 * of ours, and what overflows it the kernel counts ({@code RcvbufErrors}).
 *
 * @author tcp-greeter team
 */
final class UdpGreeter implements ServerListener {

	private static final Logger logger = LoggerFactory.getLogger(UdpGreeter.class);

	private static final int BIND_ATTEMPTS = 5;

	private final ListenerSettings settings;

	private final GreetingSource greeting;

	private final ServerTimers timers;

	private final ListenerObserver observer;

	private final ReplyLimiter limiter;

	private final long maxReplySize;

	private final RateLimitedWarning drops;

	private final AtomicLong sequence = new AtomicLong();

	private final List<Receiver> receivers = new ArrayList<>();

	private volatile List<DatagramSocket> sockets = List.of();

	UdpGreeter(ListenerSettings settings, GreetingSource greeting, ListenerObservers observers, ServerTimers timers) {
		this.settings = settings;
		this.greeting = greeting;
		this.timers = timers;
		this.observer = observers.observe(this);
		ListenerProperties.Udp udp = settings.udp();
		this.limiter = new ReplyLimiter(udp.repliesPerSecond(), udp.repliesPerSecondPerSource(), udp.maxSources());
		this.maxReplySize = udp.maxReplySize().toBytes();
		this.drops = timers.warning(logger, "{} datagram(s) got no reply on UDP listener '" + settings.name()
				+ "' since the last report (" + settings.property("udp.*") + "); the last: {}");
		int largest = greeting.current().template().maxSize();
		if (largest > this.maxReplySize) {
			throw new InvalidConfigurationPropertyValueException(settings.property("udp.max-reply-size"),
					udp.maxReplySize(), "the greeting takes up to " + largest
							+ " bytes, more than a reply may; shorten the greeting " + "or raise the limit");
		}
	}

	/**
	 * Bind the sockets now, so that a port in use stops start-up.
	 * @throws ServerStartException when a socket cannot be bound
	 */
	void bind() {
		List<InetAddress> addresses = addresses();
		IOException failure = null;
		for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
			List<DatagramSocket> bound = new ArrayList<>();
			try {
				int port = this.settings.port();
				for (InetAddress address : addresses) {
					DatagramSocket socket = new DatagramSocket(null);
					bound.add(socket);
					socket.bind(new InetSocketAddress(address, port));
					port = socket.getLocalPort(); // port 0: the rest take the one picked
				}
				this.sockets = List.copyOf(bound);
				return;
			}
			catch (IOException ex) {
				bound.forEach(DatagramSocket::close);
				failure = ex;
				if (this.settings.port() != 0) {
					break; // a fixed port will not come free by trying again
				}
			}
		}
		throw new ServerStartException(this.settings, failure);
	}

	private List<InetAddress> addresses() {
		InetAddress configured = this.settings.address();
		if (configured != null && !configured.isAnyLocalAddress()) {
			return List.of(configured);
		}
		List<InetAddress> addresses = new ArrayList<>();
		try {
			for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
				if (nic.isUp()) {
					addresses.addAll(Collections.list(nic.getInetAddresses()));
				}
			}
		}
		catch (SocketException ex) {
			logger.warn(
					"Could not list this host's addresses ({}); UDP listener '{}' binds the wildcard address, "
							+ "and its replies leave from the address the route picks",
					ex.getMessage(), this.settings.name());
			return List.of(wildcard());
		}
		// IPv4 first, for messages that read well.
		addresses.sort((a, b) -> Boolean.compare(a instanceof Inet6Address, b instanceof Inet6Address));
		return addresses.isEmpty() ? List.of(wildcard()) : addresses;
	}

	private static InetAddress wildcard() {
		return new InetSocketAddress(0).getAddress();
	}

	/**
	 * Register one flow per socket: its inbound adapter, the reply, and the outbound
	 * adapter that sends it through the same socket. Started at once.
	 * @param beanFactory where each inbound adapter goes, under its name
	 * @param flows where the flows go
	 */
	void register(ConfigurableListableBeanFactory beanFactory, IntegrationFlowContext flows) {
		String name = this.settings.name();
		List<DatagramSocket> sockets = this.sockets;
		for (int i = 0; i < sockets.size(); i++) {
			DatagramSocket socket = sockets.get(i);
			Receiver receiver = new Receiver(socket.getLocalPort());
			receiver.setSocket(socket);
			receiver.setLookupHost(false);
			// Larger than any datagram worth answering; a longer one is truncated, which
			// does not matter: its content is ignored.
			receiver.setReceiveBufferSize(2048);
			receiver.setTaskExecutor(onItsOwnThread(receiver, name + "-udp-" + i));
			this.receivers.add(receiver);
			String id = name + ".receiver" + ((sockets.size() > 1) ? "-" + i : "");
			beanFactory.registerSingleton(id, beanFactory.initializeBean(receiver, id));
			flows
				.registration(IntegrationFlow.from(receiver)
					.<byte[]>handle((payload, headers) -> reply(headers), (endpoint) -> endpoint.id(id + ".reply"))
					.handle(Udp.outboundAdapter((message) -> message.getHeaders().get(IpHeaders.PACKET_ADDRESS))
						.socketFunction((message) -> socket),
							(endpoint) -> endpoint.id(id + ".replySender").advice(new ReplyOutcome()))
					.get())
				.id(id + ".flow")
				.register();
		}
		this.timers.scheduler()
			.scheduleWithFixedDelay(() -> this.limiter.forgetIdle(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
	}

	/**
	 * Wait until every socket's receive loop runs. The adapter starts it on a thread of
	 * its own, and until it runs the listener's health says DOWN (truthfully): start-up
	 * waits for it, as it waits for each TCP listener to listen, so that a process that
	 * is ready, and the port file it writes, mean a listener that answers.
	 * @param timeout how long to wait
	 * @return whether it receives
	 * @throws InterruptedException if interrupted
	 */
	boolean awaitReceiving(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!isListening()) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			Thread.sleep(1);
		}
		return true;
	}

	// The adapter's receive loop gets a thread of its own; the work for each datagram
	// runs on it, inline.
	private static Executor onItsOwnThread(UnicastReceivingChannelAdapter receiver, String threadName) {
		return (task) -> {
			if (task == receiver) {
				Thread thread = new Thread(task, "greeter-" + threadName);
				thread.setDaemon(true);
				thread.start();
			}
			else {
				task.run();
			}
		};
	}

	private @Nullable Message<byte[]> reply(MessageHeaders headers) {
		this.observer.datagramReceived();
		InetSocketAddress source = (InetSocketAddress) headers.get(IpHeaders.PACKET_ADDRESS);
		if (source == null) {
			return null;
		}
		DatagramDrop drop = this.limiter.take(source.getAddress(), System.nanoTime());
		if (drop != null) {
			return dropped(drop, source, "rate limit");
		}
		ServedGreeting served = this.greeting.current();
		byte[] bytes = render(served, source);
		if (bytes.length > this.maxReplySize) {
			return dropped(DatagramDrop.TOO_LARGE, source,
					bytes.length + " bytes, more than " + this.settings.property("udp.max-reply-size"));
		}
		return MessageBuilder.withPayload(bytes).setHeader(IpHeaders.PACKET_ADDRESS, source).build();
	}

	private byte[] render(ServedGreeting served, InetSocketAddress source) {
		GreetingTemplate template = served.template();
		long sequence = this.sequence.incrementAndGet();
		byte[] constant = template.constantBytes();
		if (constant != null) {
			return constant;
		}
		return template.render(
				new ConnectionFacts(AddressText.of(source.getAddress()), source.getPort(), port(), sequence),
				Instant.now());
	}

	private @Nullable Message<byte[]> dropped(DatagramDrop drop, InetSocketAddress source, String why) {
		this.observer.datagramDropped(drop);
		this.drops
			.occurred(AddressText.withPort(source.getAddress(), source.getPort()) + " " + drop.tag() + ": " + why);
		return null;
	}

	/**
	 * Stop receiving: the sockets close, and datagrams sent from now on get none.
	 */
	void stopReceiving() {
		this.receivers.forEach(Receiver::stop);
	}

	List<DatagramSocket> sockets() {
		return this.sockets;
	}

	ListenerSettings settings() {
		return this.settings;
	}

	@Override
	public String name() {
		return this.settings.name();
	}

	@Override
	public String protocol() {
		return "udp";
	}

	@Override
	public int port() {
		List<DatagramSocket> sockets = this.sockets;
		return sockets.isEmpty() ? this.settings.port() : sockets.get(0).getLocalPort();
	}

	@Override
	public boolean isListening() {
		List<DatagramSocket> sockets = this.sockets;
		return !sockets.isEmpty() && sockets.stream().noneMatch(DatagramSocket::isClosed)
				&& this.receivers.stream().allMatch(Receiver::isListening);
	}

	/**
	 * Spring Integration's inbound adapter, except that an empty datagram is a request
	 * like any other: the framework's mapper drops it, but it is what RFC 865 and 867
	 * clients send, and what {@code nc -u} sends on an empty line.
	 */
	private static final class Receiver extends UnicastReceivingChannelAdapter {

		Receiver(int port) {
			super(port);
		}

		@Override
		protected void doSend(DatagramPacket packet) {
			byte[] payload = Arrays.copyOfRange(packet.getData(), packet.getOffset(),
					packet.getOffset() + packet.getLength());
			sendMessage(MessageBuilder.withPayload(payload)
				.setHeader(IpHeaders.PACKET_ADDRESS, packet.getSocketAddress())
				.build());
		}

	}

	/**
	 * Counts each reply sent, and a send that failed as a drop: without it the adapter
	 * would log every failure at ERROR with a stack trace.
	 */
	private final class ReplyOutcome extends AbstractRequestHandlerAdvice {

		@Override
		protected @Nullable Object doInvoke(ExecutionCallback callback, Object target, Message<?> message) {
			try {
				callback.execute();
				UdpGreeter.this.observer.datagramReplied(((byte[]) message.getPayload()).length);
			}
			catch (RuntimeException ex) {
				InetSocketAddress destination = (InetSocketAddress) message.getHeaders().get(IpHeaders.PACKET_ADDRESS);
				dropped(DatagramDrop.SEND_FAILED, (destination != null) ? destination : new InetSocketAddress(0),
						String.valueOf(NestedExceptionUtils.getMostSpecificCause(ex).getMessage()));
			}
			return null;
		}

	}

}
