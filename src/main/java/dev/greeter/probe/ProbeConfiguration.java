package dev.greeter.probe;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.task.SimpleAsyncTaskExecutorBuilder;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;

/**
 * Wires the probe profile: one prober per target, started with the context and stopped by
 * SIGTERM.
 *
 * @author tcp-greeter team
 */
@Configuration(proxyBeanMethods = false)
@Profile("probe")
class ProbeConfiguration {

	@Bean
	Probes probes(ProbeProperties properties, MeterRegistry registry, ObjectProvider<SslBundles> sslBundles,
			SimpleAsyncTaskExecutorBuilder executorBuilder, Environment environment) {
		// Probes wait on the network: virtual threads where there are (21+).
		SimpleAsyncTaskExecutorBuilder threads = executorBuilder
			.virtualThreads(Threading.VIRTUAL.isActive(environment));
		return new Probes(properties, registry, sslBundles::getObject, threads);
	}

}
