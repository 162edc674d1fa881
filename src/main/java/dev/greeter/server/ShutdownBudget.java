package dev.greeter.server;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.Environment;

/**
 * Checks at start-up that a shutdown can be what it promises: the shutdown delay and the
 * drain after it (every listener's) must fit in the time Spring gives the lifecycle phase
 * ({@code spring.lifecycle.timeout-per-shutdown-phase}), or the last connections would be
 * cut off when that time is up.
 *
 * @author tcp-greeter team
 */
final class ShutdownBudget {

	static final String PHASE_TIMEOUT = "spring.lifecycle.timeout-per-shutdown-phase";

	private ShutdownBudget() {
	}

	/**
	 * Check the budget.
	 * @param properties the server's settings, with the delay
	 * @param listeners the TCP listeners, whose connections the drain waits for
	 * @param environment for the phase timeout
	 */
	static void check(ServerSettings properties, List<ListenerSettings> listeners, Environment environment) {
		Duration phase = phaseTimeout(environment);
		// The drain: the backlog, short once balancers have stopped sending (what the
		// delay is for); then the slowest open connection of any TCP listener (its
		// linger, or its write timeout for one that stopped reading); and a second's
		// margin.
		Duration slowest = listeners.stream()
			.map((listener) -> max(listener.linger(), listener.writeTimeout()))
			.reduce(Duration.ZERO, ShutdownBudget::max);
		Duration drain = slowest.plusSeconds(1);
		Duration needed = properties.shutdownDelay().plus(drain);
		if (!properties.shutdownDelay().isZero() && needed.compareTo(phase) > 0) {
			throw new InvalidConfigurationPropertyValueException("greeter.server.shutdown-delay",
					properties.shutdownDelay(),
					"the delay plus the drain (up to " + drain.toSeconds() + " s) takes longer than " + PHASE_TIMEOUT
							+ " (" + phase.toSeconds() + " s); shorten the delay or raise " + PHASE_TIMEOUT);
		}
	}

	/**
	 * How long a stop may take before the process halts ({@link CleanStopOnSigterm}): two
	 * lifecycle phases that may each wait the phase timeout (this server's drain, then
	 * the web server's graceful shutdown), and 5 s for the rest of the context's close,
	 * which takes milliseconds when nothing is stuck.
	 * @param environment for the phase timeout
	 * @return the deadline, 45 s with the default 20 s phase timeout
	 */
	static Duration stopDeadline(Environment environment) {
		return phaseTimeout(environment).multipliedBy(2).plusSeconds(5);
	}

	private static Duration phaseTimeout(Environment environment) {
		return environment.getProperty(PHASE_TIMEOUT, Duration.class, Duration.ofSeconds(30));
	}

	private static Duration max(Duration a, Duration b) {
		return (a.compareTo(b) >= 0) ? a : b;
	}

}
