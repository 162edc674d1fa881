package dev.greeter.server;

import dev.greeter.server.tcp.ConnectionThreads;
import dev.greeter.server.tcp.TcpGreeter;
import dev.greeter.server.udp.UdpGreeter;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.task.SimpleAsyncTaskExecutorBuilder;
import org.springframework.boot.thread.Threading;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.integration.dsl.context.IntegrationFlowContext;

import dev.greeter.greeting.GreetingSources;
import dev.greeter.server.ListenerProperties.Protocol;

/**
 * Wires the greeting server: the listeners made from the settings
 * ({@link ListenerSettings}), each with its own Spring Integration flows, and what they
 * share: the connection threads, the timer thread, the drain on shutdown and the
 * maintenance switch.
 * <p>
 * The listeners are decided at run time, not by bean conditions or definitions: in the
 * image's AOT mode the bean set is fixed at build time, and listeners are configured by
 * environment variables when the container starts.
 *
 * @author tcp-greeter team
 */
@Configuration(proxyBeanMethods = false)
@Profile("!client & !probe")
class GreetingServerConfiguration {

	@Bean
	ConnectionThreads connectionThreads(Environment environment, SimpleAsyncTaskExecutorBuilder executorBuilder) {
		return ConnectionThreads.create(Threading.VIRTUAL.isActive(environment), executorBuilder);
	}

	@Bean
	ServerTimers serverTimers(ServerSettings settings) {
		return new ServerTimers(settings.reportInterval());
	}

	@Bean
	Listeners listeners(ServerSettings server, ListenerProperties listenerProperties,
			ConfigurableEnvironment environment, GreetingSources greetings, ConnectionThreads connectionThreads,
			ServerTimers timers, ObjectProvider<ListenerObservers> observers, ObjectProvider<SslBundles> sslBundles,
			ApplicationEventPublisher events, ConfigurableListableBeanFactory beanFactory,
			IntegrationFlowContext flows) {
		List<ListenerSettings> settings = ListenerSettings.resolve(server, listenerProperties, environment);
		ListenerObservers observe = observers.getIfUnique(() -> (listener) -> ListenerObserver.NONE);
		TcpGreeter.Context context = new TcpGreeter.Context(events, timers, connectionThreads,
				sslBundles.getIfAvailable(), structuredLogs(environment));
		long tcpCount = settings.stream().filter((listener) -> listener.protocol() == Protocol.TCP).count();
		ConnectionCapacity.Limits limits = ConnectionCapacity.Limits.ofThisProcess();
		List<TcpGreeter> tcp = new ArrayList<>();
		List<UdpGreeter> udp = new ArrayList<>();
		for (ListenerSettings listener : settings) {
			if (listener.protocol() == Protocol.UDP) {
				udp.add(new UdpGreeter(listener, greetings.forListener(listener.name()), observe, timers));
				continue;
			}
			int maxConnections = ConnectionCapacity.fit(listener.property("max-connections"), listener.maxConnections(),
					(int) tcpCount, listener.maxConnectionsExplicit(), !connectionThreads.virtual(),
					listener.sslBundle() != null, limits);
			tcp.add(new TcpGreeter(listener, maxConnections, greetings.forListener(listener.name()), observe, context));
		}
		return new Listeners(tcp, udp, beanFactory, flows, environment);
	}

	// Decided at run time, not by a condition: in the image's AOT mode the bean set is
	// fixed at build time, and JSON logs are turned on by an environment variable.
	private static boolean structuredLogs(Environment environment) {
		return environment.containsProperty("logging.structured.format.console")
				|| environment.containsProperty("logging.structured.format.file");
	}

	@Bean
	GracefulDrain gracefulDrain(Listeners listeners, ApplicationEventPublisher events, ServerSettings settings,
			Environment environment) {
		ShutdownBudget.check(settings, listeners.tcp().stream().map(TcpGreeter::settings).toList(), environment);
		return new GracefulDrain(listeners, events, settings.shutdownDelay());
	}

	@Bean
	PortFile portFile(ServerSettings settings, Listeners listeners, Environment environment) {
		return new PortFile(settings.portFile(), listeners, environment);
	}

	@Bean
	MaintenanceFile maintenanceFile(ServerSettings settings, ServerTimers serverTimers) {
		return new MaintenanceFile(settings.maintenanceFile(), serverTimers);
	}

}
