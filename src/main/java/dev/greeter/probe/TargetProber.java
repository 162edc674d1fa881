package dev.greeter.probe;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Probes one target: every interval its host is resolved again and each address it
 * resolves to is probed on its own, on the target's own threads, so that a slow target
 * never delays another. An address still being probed from the last round is not probed
 * again until that probe ends. Outages are kept per address: one starts at the first
 * failure after a success and ends at the next success.
 *
 * @author tcp-greeter team
 */
final class TargetProber {

	static final String UNRESOLVED = "";

	private final ProbeProperties.Target target;

	private final Exchange exchange;

	private final ProbeMeters meters;

	private final Executor threads;

	private final Map<String, AddressState> states = new ConcurrentHashMap<>();

	private final AtomicBoolean resolving = new AtomicBoolean();

	TargetProber(ProbeProperties.Target target, Exchange exchange, ProbeMeters meters, Executor threads) {
		this.target = target;
		this.exchange = exchange;
		this.meters = meters;
		this.threads = threads;
	}

	/**
	 * Start one round: called by the schedule every interval; returns at once.
	 */
	void round() {
		if (this.resolving.compareAndSet(false, true)) {
			this.threads.execute(() -> {
				try {
					resolveAndProbe();
				}
				finally {
					this.resolving.set(false);
				}
			});
		}
	}

	private void resolveAndProbe() {
		Set<String> now = new LinkedHashSet<>();
		InetAddress[] addresses;
		try {
			addresses = InetAddress.getAllByName(this.target.host());
		}
		catch (UnknownHostException ex) {
			this.meters.resolved(0);
			record(UNRESOLVED, Attempt.failed(Outcome.DNS, -1, -1, -1));
			return;
		}
		this.meters.resolved(addresses.length);
		for (InetAddress address : addresses) {
			String text = text(address);
			now.add(text);
			AddressState state = this.states.computeIfAbsent(text, (key) -> new AddressState());
			if (state.busy.compareAndSet(false, true)) {
				InetSocketAddress destination = new InetSocketAddress(address, this.target.url().getPort());
				this.threads.execute(() -> {
					try {
						record(text, this.exchange.probe(destination));
					}
					finally {
						state.busy.set(false);
					}
				});
			}
		}
		// An address gone (a pod no longer ready, a record changed), or the failed
		// lookup's series now that the name resolves again: its series go too.
		for (String known : Set.copyOf(this.states.keySet())) {
			if (!now.contains(known)) {
				this.states.remove(known);
				this.meters.forget(known);
			}
		}
	}

	private void record(String address, Attempt attempt) {
		AddressState state = this.states.computeIfAbsent(address, (key) -> new AddressState());
		ProbeMeters.AddressMeters meters = this.meters.address(address);
		long nanos = System.nanoTime();
		meters.attempt(attempt, System.currentTimeMillis() / 1000);
		if (attempt.outcome() == Outcome.OK) {
			this.meters.answered(answer(attempt.greeting()));
			Duration outage = state.succeeded(nanos);
			if (outage != null) {
				meters.outage(outage);
			}
		}
		else {
			state.failed(nanos);
		}
	}

	String answer(@Nullable String greeting) {
		if (greeting == null) {
			return ProbeMeters.OTHER;
		}
		Pattern pattern = this.target.answerPattern();
		if (pattern == null) {
			int end = greeting.indexOf('\n');
			return ((end < 0) ? greeting : greeting.substring(0, end)).strip();
		}
		Matcher matcher = pattern.matcher(greeting);
		if (!matcher.find()) {
			return "unmatched";
		}
		String answer = (matcher.groupCount() >= 1) ? matcher.group(1) : matcher.group();
		return (answer != null) ? answer : "unmatched";
	}

	private static String text(InetAddress address) {
		String text = address.getHostAddress();
		int zone = text.indexOf('%');
		return (zone < 0) ? text : text.substring(0, zone);
	}

	/**
	 * Whether an address is being probed, and its outage under way if any.
	 */
	private static final class AddressState {

		private final AtomicBoolean busy = new AtomicBoolean();

		private boolean succeededOnce;

		private long failingSince = -1;

		synchronized void failed(long nanos) {
			if (this.succeededOnce && this.failingSince < 0) {
				this.failingSince = nanos;
			}
		}

		synchronized @Nullable Duration succeeded(long nanos) {
			this.succeededOnce = true;
			if (this.failingSince < 0) {
				return null;
			}
			Duration outage = Duration.ofNanos(nanos - this.failingSince);
			this.failingSince = -1;
			return outage;
		}

	}

}
