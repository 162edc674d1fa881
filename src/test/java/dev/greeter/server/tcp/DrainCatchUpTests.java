package dev.greeter.server.tcp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.RunningServer;
import dev.greeter.greeting.GreetingProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A drain selector that falls behind, as one whose thread gets no CPU does (here its
 * thread is held in its first log line), holds the accepting thread back: new clients
 * wait in the listen backlog and are greeted once it catches up, instead of being turned
 * away at the connection limit while only a few are connected.
 */
@ExtendWith(OutputCaptureExtension.class)
class DrainCatchUpTests {

	private static final byte[] DEFAULT_GREETING = (GreetingProperties.DEFAULT_GREETING + "\r\n")
		.getBytes(StandardCharsets.US_ASCII);

	private final LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();

	@Test
	void clientsWaitForASelectorThatFellBehindInsteadOfBeingTurnedAway(CapturedOutput output) throws Exception {
		int limit = DrainSelector.MAX_WAITING + 64;
		int clients = limit + 100;
		CountDownLatch release = new CountDownLatch(1);
		HoldTheDrain hold = new HoldTheDrain(release);
		hold.start();
		ExecutorService pool = Executors.newFixedThreadPool(128);
		try (RunningServer server = RunningServer.start("greeter.server.max-connections=" + limit)) {
			this.logging.addTurboFilter(hold);
			AtomicInteger greeted = new AtomicInteger();
			List<Future<byte[]>> received = new ArrayList<>();
			for (int i = 0; i < clients; i++) {
				received.add(pool.submit(() -> {
					byte[] greeting = server.fetch();
					greeted.incrementAndGet();
					return greeting;
				}));
			}
			// The selector is held with the first connection; the accepting thread greets
			// until MAX_WAITING more wait for it, and then waits too.
			await("clients greeted while the selector is held").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> greeted.get() > DrainSelector.MAX_WAITING);
			await("no client greeted (or turned away) while the selector is held").during(Duration.ofMillis(500))
				.atMost(Duration.ofSeconds(5))
				.until(() -> greeted.get() <= DrainSelector.MAX_WAITING + 1);
			release.countDown();
			for (Future<byte[]> greeting : received) {
				assertThat(greeting.get(RunningServer.CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
					.isEqualTo(DEFAULT_GREETING);
			}
			assertThat(output.getAll()).doesNotContain("closed without a greeting");
		}
		finally {
			release.countDown();
			this.logging.getTurboFilterList().remove(hold);
			pool.shutdownNow();
			assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	// Holds the drain selector's thread at its first log line until released.
	private static final class HoldTheDrain extends TurboFilter {

		private final CountDownLatch release;

		HoldTheDrain(CountDownLatch release) {
			this.release = release;
		}

		@Override
		public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
				Throwable t) {
			if (Thread.currentThread().getName().startsWith("drain-")) {
				try {
					this.release.await(RunningServer.CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return FilterReply.NEUTRAL;
		}

	}

}
