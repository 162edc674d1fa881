package dev.greeter.probe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * One target's meters. Series by address come and go with the addresses the target
 * resolves to; answers are capped per target, so a pattern that matches something new
 * every time cannot grow the scrape without bound.
 *
 * @author tcp-greeter team
 */
final class ProbeMeters {

	static final String OTHER = "other";

	// A loopback millisecond to a cross-region second, and the timeout's ten.
	private static final Duration[] LATENCY = { Duration.ofNanos(250_000), Duration.ofNanos(500_000),
			Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
			Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
			Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
			Duration.ofSeconds(10) };

	// A blip to an hour.
	private static final Duration[] OUTAGE = { Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
			Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
			Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
			Duration.ofMinutes(30), Duration.ofHours(1) };

	private final MeterRegistry registry;

	private final String target;

	private final int maxAnswers;

	private final Map<String, Counter> answers = new ConcurrentHashMap<>();

	private final Counter overflow;

	private final Map<String, AddressMeters> addresses = new ConcurrentHashMap<>();

	private final AtomicLong resolved = new AtomicLong();

	ProbeMeters(MeterRegistry registry, String target, int maxAnswers) {
		this.registry = registry;
		this.target = target;
		this.maxAnswers = maxAnswers;
		this.overflow = Counter.builder("greeter.probe.answers.overflow")
			.description("Successful probes whose answer was counted as 'other': the target had max-answers "
					+ "distinct answers already")
			.tag("target", target)
			.register(registry);
		Gauge.builder("greeter.probe.addresses", this.resolved, AtomicLong::get)
			.description("Addresses the target's host resolved to at the last resolution")
			.tag("target", target)
			.register(registry);
	}

	AddressMeters address(String address) {
		return this.addresses.computeIfAbsent(address, AddressMeters::new);
	}

	void resolved(int count) {
		this.resolved.set(count);
	}

	/**
	 * Drop the series of an address the host no longer resolves to.
	 * @param address the address
	 */
	void forget(String address) {
		AddressMeters gone = this.addresses.remove(address);
		if (gone != null) {
			gone.meters().forEach(this.registry::remove);
		}
	}

	void answered(String answer) {
		Counter counter = this.answers.get(answer);
		if (counter == null) {
			synchronized (this.answers) {
				counter = this.answers.get(answer);
				if (counter == null) {
					if (this.answers.size() >= this.maxAnswers) {
						this.overflow.increment();
						counter = this.answers.computeIfAbsent(OTHER, this::answerCounter);
						counter.increment();
						return;
					}
					counter = this.answers.computeIfAbsent(answer, this::answerCounter);
				}
			}
		}
		counter.increment();
	}

	private Counter answerCounter(String answer) {
		return Counter.builder("greeter.probe.answers")
			.description("Successful probes by who answered: the answer-pattern's capture from the greeting")
			.tags("target", this.target, "answer", answer)
			.register(this.registry);
	}

	/**
	 * The series of one address of the target.
	 */
	final class AddressMeters {

		private final Tags tags;

		private final Map<Outcome, Counter> attempts = new ConcurrentHashMap<>();

		private final Timer connect;

		private final Timer greeting;

		private final Timer outage;

		private final AtomicLong lastSuccess = new AtomicLong();

		private final AtomicLong expiry = new AtomicLong(-1);

		private final Gauge lastSuccessGauge;

		private volatile Gauge expiryGauge;

		private volatile Timer handshake;

		AddressMeters(String address) {
			this.tags = Tags.of("target", ProbeMeters.this.target, "address", address);
			MeterRegistry registry = ProbeMeters.this.registry;
			for (Outcome outcome : Outcome.values()) {
				this.attempts.put(outcome,
						Counter.builder("greeter.probe.attempts")
							.description("Probes by target, address and outcome")
							.tags(this.tags)
							.tag("outcome", outcome.tag())
							.register(registry));
			}
			this.connect = latency("greeter.probe.connect", "Time to connect");
			this.greeting = latency("greeter.probe.greeting",
					"Time from the start of a probe to its whole greeting (UDP: to the reply)");
			this.outage = Timer.builder("greeter.probe.outage")
				.description("Outages of an address: from the first failed probe after a success to the next success")
				.tags(this.tags)
				.serviceLevelObjectives(OUTAGE)
				.register(registry);
			this.lastSuccessGauge = Gauge
				.builder("greeter.probe.last.success.timestamp", this.lastSuccess, AtomicLong::get)
				.description("When a probe of this address last succeeded, in seconds since the epoch; 0 if never")
				.baseUnit("seconds")
				.tags(this.tags)
				.register(registry);
		}

		private Timer latency(String name, String description) {
			return Timer.builder(name)
				.description(description)
				.tags(this.tags)
				.serviceLevelObjectives(LATENCY)
				.register(ProbeMeters.this.registry);
		}

		void attempt(Attempt attempt, long epochSeconds) {
			this.attempts.get(attempt.outcome()).increment();
			if (attempt.connectNanos() >= 0) {
				this.connect.record(Duration.ofNanos(attempt.connectNanos()));
			}
			if (attempt.tlsNanos() >= 0) {
				handshake().record(Duration.ofNanos(attempt.tlsNanos()));
			}
			if (attempt.totalNanos() >= 0) {
				this.greeting.record(Duration.ofNanos(attempt.totalNanos()));
			}
			if (attempt.certificateExpiry() >= 0) {
				this.expiry.set(attempt.certificateExpiry());
				if (this.expiryGauge == null) {
					this.expiryGauge = Gauge
						.builder("greeter.probe.certificate.expiry.timestamp", this.expiry, AtomicLong::get)
						.description("When the server certificate of a TLS target expires, in seconds since the epoch")
						.baseUnit("seconds")
						.tags(this.tags)
						.register(ProbeMeters.this.registry);
				}
			}
			if (attempt.outcome() == Outcome.OK) {
				this.lastSuccess.set(epochSeconds);
			}
		}

		private Timer handshake() {
			Timer timer = this.handshake;
			if (timer == null) {
				timer = latency("greeter.probe.tls.handshake", "Time of the TLS handshake");
				this.handshake = timer;
			}
			return timer;
		}

		void outage(Duration duration) {
			this.outage.record(duration);
		}

		List<Meter> meters() {
			List<Meter> meters = new ArrayList<>(this.attempts.values());
			meters.add(this.connect);
			meters.add(this.greeting);
			meters.add(this.outage);
			meters.add(this.lastSuccessGauge);
			if (this.expiryGauge != null) {
				meters.add(this.expiryGauge);
			}
			if (this.handshake != null) {
				meters.add(this.handshake);
			}
			return meters;
		}

	}

}
