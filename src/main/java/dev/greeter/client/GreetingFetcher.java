package dev.greeter.client;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.springframework.context.ApplicationListener;
import org.springframework.integration.ip.tcp.connection.AbstractClientConnectionFactory;
import org.springframework.integration.ip.tcp.connection.TcpConnectionCloseEvent;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.MessageBuilder;

import dev.greeter.support.Causes;

/**
 * Makes {@code greeter.client.count} connections, at most
 * {@code greeter.client.concurrency} open at a time, and hands each one's outcome (the
 * greeting bytes or a {@link ClientFailure}) to a consumer as it arrives.
 * <p>
 * Each connection only needs to be opened: the connection factory reads it on its own
 * thread, the inbound adapter puts the greeting on the outcome channel, and the gateway
 * takes it from there. Nothing is ever written to the server.
 *
 * @author tcp-greeter team
 */
final class GreetingFetcher implements Fetcher, ApplicationListener<TcpConnectionCloseEvent> {

	private final AbstractClientConnectionFactory factory;

	private final GreetingGateway gateway;

	private final MessageChannel outcomes;

	private final ClientProperties properties;

	// A connection holds its slot until it is closed, not just until its greeting has
	// arrived: so no more than greeter.client.concurrency connections are ever open at
	// once.
	private final Semaphore slots = new Semaphore(0);

	GreetingFetcher(AbstractClientConnectionFactory factory, GreetingGateway gateway, MessageChannel outcomes,
			ClientProperties properties) {
		this.factory = factory;
		this.gateway = gateway;
		this.outcomes = outcomes;
		this.properties = properties;
	}

	@Override
	public void fetch(Consumer<Object> consumer) {
		int count = this.properties.count();
		int concurrency = Math.min(this.properties.concurrency(), count);
		this.slots.release(concurrency);
		AtomicInteger next = new AtomicInteger();
		AtomicBoolean done = new AtomicBoolean();
		ExecutorService openers = Fetcher.workers(concurrency, "greeter-client-connect");
		try {
			for (int i = 0; i < concurrency; i++) {
				openers.execute(() -> openConnections(next, count, done));
			}
			for (int received = 0; received < count; received++) {
				Message<?> outcome = this.gateway.receive();
				if (outcome == null) {
					// Connect and read timeouts give every connection an outcome; this
					// only guards against a connection that got lost in between.
					for (; received < count; received++) {
						consumer.accept(new ClientFailure(FailureKind.TIMEOUT,
								"no outcome from " + this.properties.target() + " in time"));
					}
					return;
				}
				consumer.accept(outcome.getPayload());
			}
		}
		finally {
			done.set(true);
			openers.shutdownNow();
		}
	}

	@Override
	public void onApplicationEvent(TcpConnectionCloseEvent event) {
		if (this.factory.getComponentName().equals(event.getConnectionFactoryName())) {
			this.slots.release();
		}
	}

	private void openConnections(AtomicInteger next, int count, AtomicBoolean done) {
		while (!done.get()) {
			try {
				this.slots.acquire();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			if (next.getAndIncrement() >= count) {
				this.slots.release();
				return;
			}
			try {
				this.factory.getConnection();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				this.slots.release(); // never opened, so no close event will free the
										// slot
				this.outcomes.send(MessageBuilder.withPayload(connectFailure(ex)).build());
			}
		}
	}

	private ClientFailure connectFailure(RuntimeException ex) {
		return ClientFailure.ofConnect(Causes.unwrapped(ex), this.properties);
	}

}
