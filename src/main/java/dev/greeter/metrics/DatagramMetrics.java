package dev.greeter.metrics;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import dev.greeter.server.DatagramDrop;
import dev.greeter.server.ListenerObserver;
import dev.greeter.server.ServerListener;

/**
 * The meters of one UDP listener: datagrams received, replies sent, and datagrams that
 * got none, by reason. Received equals replied plus dropped, once each datagram has been
 * handled.
 *
 * @author tcp-greeter team
 */
final class DatagramMetrics implements ListenerObserver {

	private final Counter received;

	private final Counter replies;

	private final Counter replyBytes;

	private final Map<DatagramDrop, Counter> dropped = new EnumMap<>(DatagramDrop.class);

	DatagramMetrics(MeterRegistry registry, ServerListener listener) {
		Tags tags = Tags.of(ListenerMeters.LISTENER, listener.name());
		this.received = Counter.builder("greeter.datagrams.received")
			.tags(tags)
			.description("Datagrams received by a UDP listener")
			.register(registry);
		this.replies = Counter.builder("greeter.datagram.replies")
			.tags(tags)
			.description("Reply datagrams sent by a UDP listener, one per datagram answered")
			.register(registry);
		this.replyBytes = Counter.builder("greeter.datagram.reply")
			.tags(tags)
			.baseUnit("bytes")
			.description("Bytes of reply datagrams sent")
			.register(registry);
		for (DatagramDrop reason : DatagramDrop.values()) {
			this.dropped.put(reason,
					Counter.builder("greeter.datagrams.dropped")
						.tags(tags)
						.tag("reason", reason.tag())
						.description("Datagrams that got no reply: rate-limited per source or in total, a reply "
								+ "larger than max-reply-size, or a send that failed")
						.register(registry));
		}
		Gauge.builder("greeter.server.listening", listener, (server) -> server.isListening() ? 1 : 0)
			.tags(tags)
			.description("1 while the listener can greet, 0 otherwise")
			.register(registry);
	}

	@Override
	public void datagramReceived() {
		this.received.increment();
	}

	@Override
	public void datagramReplied(int bytes) {
		this.replies.increment();
		this.replyBytes.increment(bytes);
	}

	@Override
	public void datagramDropped(DatagramDrop reason) {
		this.dropped.get(reason).increment();
	}

}
