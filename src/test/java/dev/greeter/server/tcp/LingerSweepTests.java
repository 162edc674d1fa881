package dev.greeter.server.tcp;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sweep's bookkeeping, with time passed in: which connections it ends, and when. The
 * socket side (a blocked read woken, counted as a timeout) is covered over real
 * connections by GreetingServerTests and ConnectionMetricsTests.
 */
class LingerSweepTests {

	private static final Duration LINGER = Duration.ofSeconds(2);

	// The sweep's own schedule runs too, but with a 200 ms tick against a 2 s linger it
	// cannot end anything within these tests.
	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

	@AfterEach
	void stopScheduler() {
		this.scheduler.shutdownNow();
	}

	@Test
	void endsAConnectionOnlyOnceItsLingerIsOver() {
		LingerSweep sweep = new LingerSweep(LINGER, this.scheduler);
		Connection connection = new Connection();
		long start = System.nanoTime();
		sweep.started(connection);
		sweep.sweep(start + LINGER.toNanos() - TimeUnit.MILLISECONDS.toNanos(100));
		assertThat(connection.expired).as("before the deadline").hasValue(0);
		sweep.sweep(System.nanoTime() + LINGER.toNanos());
		assertThat(connection.expired).as("after the deadline").hasValue(1);
		sweep.sweep(System.nanoTime() + 2 * LINGER.toNanos());
		assertThat(connection.expired).as("ended once, then forgotten").hasValue(1);
	}

	@Test
	void aConnectionWhoseDrainEndedIsNeverEnded() {
		LingerSweep sweep = new LingerSweep(LINGER, this.scheduler);
		Connection closedByClient = new Connection();
		Connection silent = new Connection();
		sweep.started(closedByClient);
		sweep.started(silent);
		sweep.ended(closedByClient);
		sweep.sweep(System.nanoTime() + LINGER.toNanos());
		assertThat(closedByClient.expired).hasValue(0);
		assertThat(silent.expired).hasValue(1);
	}

	@Test
	void aConnectionThatFailsToEndDoesNotStopTheSweep() {
		LingerSweep sweep = new LingerSweep(LINGER, this.scheduler);
		LingerSweep.Lingering broken = () -> {
			throw new IllegalStateException("broken");
		};
		Connection silent = new Connection();
		sweep.started(broken);
		sweep.started(silent);
		sweep.sweep(System.nanoTime() + LINGER.toNanos());
		assertThat(silent.expired).hasValue(1);
		Connection later = new Connection();
		sweep.started(later);
		sweep.sweep(System.nanoTime() + LINGER.toNanos());
		assertThat(later.expired).as("the next sweep still works").hasValue(1);
	}

	@Test
	void tickIsATenthOfTheLingerWithinBounds() {
		assertThat(LingerSweep.tickNanos(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(200).toNanos());
		assertThat(LingerSweep.tickNanos(Duration.ofMillis(500))).isEqualTo(Duration.ofMillis(50).toNanos());
		assertThat(LingerSweep.tickNanos(Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(10).toNanos());
		assertThat(LingerSweep.tickNanos(Duration.ofMinutes(10))).isEqualTo(Duration.ofMillis(200).toNanos());
	}

	private static final class Connection implements LingerSweep.Lingering {

		private final AtomicInteger expired = new AtomicInteger();

		@Override
		public void lingerExpired() {
			this.expired.incrementAndGet();
		}

	}

}
