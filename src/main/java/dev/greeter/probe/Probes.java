package dev.greeter.probe;

import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.task.SimpleAsyncTaskExecutorBuilder;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The probers of all targets and the one schedule that starts their rounds. The schedule
 * only hands each round to its target's own threads, so a target that is slow to resolve
 * or to answer delays no other.
 *
 * @author tcp-greeter team
 */
final class Probes implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(Probes.class);

	private final Map<String, ProbeProperties.Target> targets;

	private final MeterRegistry registry;

	private final Supplier<SslBundles> sslBundles;

	private final SimpleAsyncTaskExecutorBuilder threads;

	private final List<TargetProber> probers = new ArrayList<>();

	private @Nullable ScheduledExecutorService schedule;

	Probes(ProbeProperties properties, MeterRegistry registry, Supplier<SslBundles> sslBundles,
			SimpleAsyncTaskExecutorBuilder threads) {
		this.targets = new TreeMap<>(properties.targets());
		this.registry = registry;
		this.sslBundles = sslBundles;
		this.threads = threads;
		if (this.targets.isEmpty()) {
			throw new InvalidConfigurationPropertyValueException("greeter.probe.targets", "(none)",
					"the probe needs at least one target: set greeter.probe.targets.<name>.url, for example "
							+ "tcp://localhost:8000");
		}
	}

	@Override
	public void start() {
		CustomizableThreadFactory factory = new CustomizableThreadFactory("greeter-probe-schedule-");
		factory.setDaemon(true);
		ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(factory);
		this.targets.forEach((name, target) -> {
			Exchange exchange = new Exchange(target, tls(name, target));
			ProbeMeters meters = new ProbeMeters(this.registry, name, target.maxAnswers());
			TargetProber prober = new TargetProber(target, exchange, meters,
					this.threads.threadNamePrefix("greeter-probe-" + name + "-").build());
			this.probers.add(prober);
			long every = target.interval().toMillis();
			schedule.scheduleAtFixedRate(prober::round, 0, every, TimeUnit.MILLISECONDS);
			logger.info("Probing {} every {} ms as target '{}'", target.url(), every, name);
		});
		this.schedule = schedule;
	}

	private @Nullable SSLContext tls(String name, ProbeProperties.Target target) {
		if (!"tls".equals(target.scheme())) {
			return null;
		}
		if (target.sslBundle() != null) {
			return this.sslBundles.get().getBundle(target.sslBundle()).createSslContext();
		}
		try {
			return SSLContext.getDefault();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("no TLS for target '" + name + "'", ex);
		}
	}

	@Override
	public void stop() {
		ScheduledExecutorService schedule = this.schedule;
		if (schedule != null) {
			schedule.shutdownNow();
			this.schedule = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.schedule != null;
	}

}
