package dev.greeter.server.tcp;

import dev.greeter.server.ListenerObserver;
import dev.greeter.server.ListenerProperties;
import dev.greeter.server.ListenerSettings;
import dev.greeter.server.ServerSettings;
import dev.greeter.server.ServerTimers;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ConnectionLimit} on its own: places are taken and given back, what is in use is
 * what the drain waits for, and a rejection is counted and reported before the caller
 * closes the socket.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConnectionLimitTests {

	private final ServerTimers timers = new ServerTimers(Duration.ofSeconds(10));

	private final AtomicInteger rejected = new AtomicInteger();

	private final ConnectionLimit limit = new ConnectionLimit(defaultListener(), 2, new ListenerObserver() {
		@Override
		public void connectionRejected() {
			ConnectionLimitTests.this.rejected.incrementAndGet();
		}
	}, this.timers);

	@AfterEach
	void stopTimers() {
		this.timers.destroy();
	}

	@Test
	void placesAreTakenUpToTheLimitAndGivenBack() {
		assertThat(this.limit.tryAcquire()).isTrue();
		assertThat(this.limit.tryAcquire()).isTrue();
		assertThat(this.limit.inUse()).isEqualTo(2);
		assertThat(this.limit.tryAcquire()).isFalse();
		this.limit.release();
		assertThat(this.limit.inUse()).isOne();
		assertThat(this.limit.tryAcquire()).isTrue();
		assertThat(this.rejected).hasValue(1);
	}

	@Test
	void theFirstRejectionIsReportedAtOnceNamingTheProperty(CapturedOutput output) {
		this.limit.tryAcquire();
		this.limit.tryAcquire();
		assertThat(this.limit.tryAcquire()).isFalse();
		assertThat(this.rejected).hasValue(1);
		assertThat(output.getAll()).containsOnlyOnce("1 new connection(s) closed without a greeting since the last "
				+ "report: 2 open, the limit (greeter.server.max-connections)");
		assertThat(this.limit.tryAcquire()).isFalse();
		assertThat(this.rejected).as("every rejection counted").hasValue(2);
		assertThat(output.getAll()).as("the second waits for the interval's report")
			.containsOnlyOnce("new connection(s) closed without a greeting");
	}

	private static ListenerSettings defaultListener() {
		Binder binder = new Binder(new MapConfigurationPropertySource());
		ServerSettings server = binder.bindOrCreate("greeter.server", ServerSettings.class);
		ListenerProperties listeners = binder.bindOrCreate("greeter", ListenerProperties.class);
		List<ListenerSettings> resolved = ListenerSettings.resolve(server, listeners, new StandardEnvironment());
		return resolved.get(0);
	}

}
