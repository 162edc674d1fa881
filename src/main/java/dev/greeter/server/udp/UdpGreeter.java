package dev.greeter.server.udp;

import dev.greeter.server.AddressText;
import dev.greeter.server.DatagramDrop;
import dev.greeter.server.ListenerObserver;
import dev.greeter.server.ListenerObservers;
import dev.greeter.server.ListenerProperties;
import dev.greeter.server.ListenerSettings;
import dev.greeter.server.RateLimitedWarning;
import dev.greeter.server.ServerListener;
import dev.greeter.server.ServerStartException;
import dev.greeter.server.ServerTimers;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * sends from whatever address the route picks, and the JDK's sockets cannot ask the
 * kernel which address a datagram came to. So a listener without an address binds one
 * socket per local address (as BIND and ntpd do), each with its own inbound adapter, and
 * each reply goes out through the socket its request came in on. The host's addresses are
 * listed again every {@code udp.address-check-interval}: a new one (a virtual IP moved
 * onto the node) gets a socket, one gone loses its socket. Beside them a catch-all socket
 * on the wildcard address takes what no per-address socket does, a local address no
 * interface lists (127.0.0.2) or one added since the last check: it answers from the
 * destination where it can read it ({@link CatchAllSockets}), and drops the datagram,
 * counted, where it cannot.
 * <p>
 * It must not amplify: a reply is at most {@code udp.max-reply-size}, and replies are
 * rate-limited per source and in total ({@link ReplyLimiter}); every datagram that gets
 * no reply is counted by reason and reported rate-limited. Each socket's one thread
 * receives and replies, so a flood waits in the kernel's receive buffer, never in a queue
 * of ours, and what overflows it the kernel counts ({@code RcvbufErrors}).
 *
 * @author tcp-greeter team
 */
public final class UdpGreeter implements ServerListener {

	private static final Logger logger = LoggerFactory.getLogger(UdpGreeter.class);

	private static final int BIND_ATTEMPTS = 5;

	private static final Duration RECEIVING_TIMEOUT = Duration.ofSeconds(5);

	private final ListenerSettings settings;

	private final GreetingSource greeting;

	private final ServerTimers timers;

	private final ListenerObserver observer;

	private final ReplyLimiter limiter;

	private final long maxReplySize;

	private final RateLimitedWarning drops;

	private final RateLimitedWarning bindFailures;

	private final RateLimitedWarning receiveFailures;

	private final AtomicLong sequence = new AtomicLong();

	private final boolean wildcard;

	// Written by start-up and the address check (one thread at a time), read by health.
	private volatile Map<InetAddress, AddressSocket> sockets = Map.of();

	private volatile List<CatchAllReceiver> catchAll = List.of();

	private volatile int port;

	private @Nullable IntegrationFlowContext flows;

	private @Nullable ScheduledFuture<?> check;

	private volatile boolean stopped;

	public UdpGreeter(ListenerSettings settings, GreetingSource greeting, ListenerObservers observers,
			ServerTimers timers) {
		this.settings = settings;
		this.greeting = greeting;
		this.timers = timers;
		this.observer = observers.observe(this);
		ListenerProperties.Udp udp = settings.udp();
		this.limiter = new ReplyLimiter(udp.repliesPerSecond(), udp.repliesPerSecondPerSource(), udp.maxSources());
		this.maxReplySize = udp.maxReplySize().toBytes();
		this.drops = timers.warning(logger, "{} datagram(s) got no reply on UDP listener '" + settings.name()
				+ "' since the last report (" + settings.property("udp.*") + "); the last: {}");
		this.bindFailures = timers.warning(logger, "{} new address(es) could not be bound by UDP listener '"
				+ settings.name() + "' since the last report; they are tried again at the next check; the last: {}");
		this.receiveFailures = timers.warning(logger, "{} receive(s) failed on a catch-all socket of UDP listener '"
				+ settings.name() + "' since the last report; it backs off and receives again; the last: {}");
		this.wildcard = settings.address() == null || settings.address().isAnyLocalAddress();
		this.port = settings.port();
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
	public void bind() {
		List<InetAddress> addresses = this.wildcard ? LocalAddresses.list()
				: List.of(Objects.requireNonNull(this.settings.address()));
		IOException failure = null;
		for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
			Map<InetAddress, AddressSocket> bound = new LinkedHashMap<>();
			List<CatchAllSocket> catchAll = List.of();
			try {
				int port = this.settings.port();
				for (InetAddress address : addresses) {
					DatagramSocket socket = open(address, port);
					bound.put(address, new AddressSocket(address, socket));
					port = socket.getLocalPort(); // port 0: the rest take the one picked
				}
				if (this.wildcard) {
					catchAll = CatchAllSockets.open(port);
				}
				this.sockets = Collections.unmodifiableMap(bound);
				this.port = port;
				this.catchAll = catchAll.stream().map((socket) -> new CatchAllReceiver(socket, this)).toList();
				return;
			}
			catch (IOException ex) {
				bound.values().forEach((socket) -> socket.socket().close());
				failure = ex;
				if (this.settings.port() != 0) {
					break; // a fixed port will not come free by trying again
				}
			}
		}
		throw new ServerStartException(this.settings, failure);
	}

	private DatagramSocket open(InetAddress address, int port) throws IOException {
		DatagramSocket socket = new DatagramSocket(null);
		try {
			// A wildcard listener's sockets share their port with its catch-all sockets;
			// a listener with an address of its own shares nothing. Shared with
			// SO_REUSEPORT, which admits only sockets of this process's user that ask for
			// it too; with SO_REUSEADDR, a program of any user could bind the same
			// address and port and take the datagrams meant for this one. The socket that
			// picks a port (port 0) binds before it shares, so that the kernel picks one
			// that no socket uses, not one that another SO_REUSEPORT socket of this user
			// would share.
			boolean shared = this.wildcard;
			if (shared && port != 0) {
				socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
			}
			socket.bind(new InetSocketAddress(address, port));
			if (shared && port == 0) {
				socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
			}
			return socket;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/**
	 * Register one flow per socket: its inbound adapter, the reply, and the outbound
	 * adapter that sends it through the same socket; start the catch-all sockets and the
	 * address check. Started at once.
	 * @param flows where the flows go (each registers its own beans)
	 */
	public void register(IntegrationFlowContext flows) {
		this.flows = flows;
		for (AddressSocket socket : this.sockets.values()) {
			socket.register(this, flows);
		}
		this.catchAll.forEach(CatchAllReceiver::start);
		ScheduledExecutorService scheduler = this.timers.scheduler();
		scheduler.scheduleWithFixedDelay(() -> this.limiter.forgetIdle(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
		if (this.wildcard) {
			long every = this.settings.udp().addressCheckInterval().toMillis();
			this.check = scheduler.scheduleWithFixedDelay(this::checkAddressesSafely, every, every,
					TimeUnit.MILLISECONDS);
		}
	}

	// A task that throws is never run again by the scheduler: the check must go on.
	private void checkAddressesSafely() {
		try {
			checkAddresses();
		}
		catch (RuntimeException ex) {
			this.bindFailures.occurred("the address check failed: " + ex);
		}
	}

	/**
	 * List the host's addresses again: bind a socket to each new one, close those of the
	 * addresses gone. Runs on the timer thread, one check at a time.
	 */
	void checkAddresses() {
		IntegrationFlowContext flows = this.flows;
		if (this.stopped || flows == null) {
			return;
		}
		List<InetAddress> now;
		try {
			now = LocalAddresses.listOrFail();
		}
		catch (SocketException ex) {
			this.bindFailures.occurred("the host's addresses could not be listed: " + ex.getMessage());
			return;
		}
		Map<InetAddress, AddressSocket> next = new LinkedHashMap<>(this.sockets);
		for (InetAddress address : now) {
			if (next.containsKey(address)) {
				continue;
			}
			try {
				AddressSocket socket = new AddressSocket(address, open(address, this.port));
				socket.register(this, flows);
				next.put(address, socket);
				if (!await(socket::isListening, RECEIVING_TIMEOUT)) {
					next.remove(address);
					socket.remove(flows);
					throw new IOException("not receiving after " + RECEIVING_TIMEOUT.toSeconds() + " s");
				}
				logger.info("UDP listener '{}' now answers on {} port {} (a new address of this host)",
						this.settings.name(), AddressText.of(address), this.port);
			}
			catch (IOException | RuntimeException ex) {
				this.bindFailures.occurred(AddressText.of(address) + ": " + ex.getMessage());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break; // stopping
			}
		}
		for (AddressSocket socket : List.copyOf(next.values())) {
			if (!now.contains(socket.address())) {
				next.remove(socket.address());
				socket.remove(flows);
				logger.info("UDP listener '{}' no longer answers on {} port {} (the address is gone from this host)",
						this.settings.name(), AddressText.of(socket.address()), this.port);
			}
		}
		this.sockets = Collections.unmodifiableMap(next);
		if (this.stopped) {
			// A stop that came during the check saw the sockets before it.
			next.values().forEach(AddressSocket::stop);
		}
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
	public boolean awaitReceiving(Duration timeout) throws InterruptedException {
		return await(this::isListening, timeout);
	}

	private static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			Thread.sleep(1);
		}
		return true;
	}

	/**
	 * A datagram arrived: count it, and make its reply, or count why it gets none.
	 * @param source who sent it
	 * @return the reply, or null if it gets none
	 */
	byte @Nullable [] answer(InetSocketAddress source) {
		this.observer.datagramReceived();
		DatagramDrop drop = this.limiter.take(source.getAddress(), System.nanoTime());
		if (drop != null) {
			dropped(drop, source, "rate limit");
			return null;
		}
		ServedGreeting served = this.greeting.current();
		byte[] bytes = render(served, source);
		if (bytes.length > this.maxReplySize) {
			dropped(DatagramDrop.TOO_LARGE, source,
					bytes.length + " bytes, more than " + this.settings.property("udp.max-reply-size"));
			return null;
		}
		return bytes;
	}

	private @Nullable Message<byte[]> reply(MessageHeaders headers) {
		InetSocketAddress source = (InetSocketAddress) headers.get(IpHeaders.PACKET_ADDRESS);
		if (source == null) {
			this.observer.datagramReceived();
			return null;
		}
		byte[] bytes = answer(source);
		return (bytes != null) ? MessageBuilder.withPayload(bytes).setHeader(IpHeaders.PACKET_ADDRESS, source).build()
				: null;
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

	void receiveFailed(String what) {
		this.receiveFailures.occurred(what);
	}

	void datagramCaught() {
		this.observer.datagramReceived();
	}

	void replied(int bytes) {
		this.observer.datagramReplied(bytes);
	}

	void dropped(DatagramDrop drop, InetSocketAddress source, String why) {
		this.observer.datagramDropped(drop);
		this.drops
			.occurred(AddressText.withPort(source.getAddress(), source.getPort()) + " " + drop.tag() + ": " + why);
	}

	/**
	 * Stop receiving: the sockets close, and datagrams sent from now on get none.
	 */
	public void stopReceiving() {
		this.stopped = true;
		ScheduledFuture<?> check = this.check;
		if (check != null) {
			check.cancel(false);
		}
		this.sockets.values().forEach(AddressSocket::stop);
		this.catchAll.forEach(CatchAllReceiver::stop);
	}

	List<DatagramSocket> sockets() {
		return this.sockets.values().stream().map(AddressSocket::socket).toList();
	}

	public ListenerSettings settings() {
		return this.settings;
	}

	String threadName(String suffix) {
		return "greeter-" + this.settings.name() + "-udp-" + suffix;
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
		return this.port;
	}

	@Override
	public boolean isListening() {
		Map<InetAddress, AddressSocket> sockets = this.sockets;
		return !this.stopped && !sockets.isEmpty() && sockets.values().stream().allMatch(AddressSocket::isListening)
				&& this.catchAll.stream().allMatch(CatchAllReceiver::isRunning);
	}

	@Override
	public String served() {
		if (!this.wildcard) {
			return this.settings.describeAddress();
		}
		String every = describe(this.settings.udp().addressCheckInterval());
		CatchAllSockets.Support support = CatchAllSockets.support();
		if (support.readsDestination()) {
			return "all local addresses, watched every " + every;
		}
		return "the interfaces' addresses, watched every " + every + "; datagrams to other local addresses are "
				+ "dropped: " + support.missing();
	}

	@Override
	public List<String> addresses() {
		return this.sockets.keySet()
			.stream()
			.sorted(Comparator.comparing((InetAddress address) -> address instanceof Inet6Address)
				.thenComparing(AddressText::of))
			.map(AddressText::of)
			.toList();
	}

	private static String describe(Duration duration) {
		long millis = duration.toMillis();
		return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
	}

	/**
	 * One local address's socket and the flow that answers on it.
	 */
	private static final class AddressSocket {

		private final InetAddress address;

		private final DatagramSocket socket;

		private @Nullable DatagramReceiver receiver;

		private @Nullable String flowId;

		AddressSocket(InetAddress address, DatagramSocket socket) {
			this.address = address;
			this.socket = socket;
		}

		InetAddress address() {
			return this.address;
		}

		DatagramSocket socket() {
			return this.socket;
		}

		public void register(UdpGreeter greeter, IntegrationFlowContext flows) {
			String name = greeter.settings.name();
			String text = AddressText.of(this.address);
			DatagramReceiver receiver = new DatagramReceiver(this.socket.getLocalPort());
			receiver.setSocket(this.socket);
			receiver.setLookupHost(false);
			// Larger than any datagram worth answering; a longer one is truncated, which
			// does not matter: its content is ignored.
			receiver.setReceiveBufferSize(2048);
			receiver.setTaskExecutor(onItsOwnThread(receiver, greeter.threadName(text)));
			String id = name + ".receiver[" + text + "]";
			DatagramSocket socket = this.socket;
			this.flowId = flows.registration(IntegrationFlow.from(receiver)
				.<byte[]>handle((payload, headers) -> greeter.reply(headers), (endpoint) -> endpoint.id(id + ".reply"))
				.handle(Udp.outboundAdapter((message) -> message.getHeaders().get(IpHeaders.PACKET_ADDRESS))
					.socketFunction((message) -> socket),
						(endpoint) -> endpoint.id(id + ".replySender").advice(greeter.new ReplyOutcome()))
				.get()).id(id + ".flow").register().getId();
			this.receiver = receiver;
		}

		boolean isListening() {
			DatagramReceiver receiver = this.receiver;
			return !this.socket.isClosed() && receiver != null && receiver.isListening();
		}

		void stop() {
			DatagramReceiver receiver = this.receiver;
			if (receiver != null) {
				receiver.stop();
			}
			this.socket.close();
		}

		void remove(IntegrationFlowContext flows) {
			String flowId = this.flowId;
			if (flowId != null) {
				flows.remove(flowId);
			}
			this.socket.close();
		}

	}

	// The adapter's receive loop gets a thread of its own; the work for each datagram
	// runs on it, inline.
	private static Executor onItsOwnThread(UnicastReceivingChannelAdapter receiver, String threadName) {
		return (task) -> {
			if (task == receiver) {
				Thread thread = new Thread(task, threadName);
				thread.setDaemon(true);
				thread.start();
			}
			else {
				task.run();
			}
		};
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
				replied(((byte[]) message.getPayload()).length);
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
