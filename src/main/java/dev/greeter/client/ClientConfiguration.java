package dev.greeter.client;

import javax.net.ssl.SSLContext;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.task.SimpleAsyncTaskExecutorBuilder;
import org.springframework.boot.thread.Threading;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskExecutor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.gateway.GatewayProxyFactoryBean;
import org.springframework.integration.ip.dsl.Tcp;
import org.springframework.integration.ip.tcp.connection.DefaultTcpNetSSLSocketFactorySupport;
import org.springframework.integration.ip.tcp.connection.TcpNetClientConnectionFactory;

/**
 * Wires the client profile: a single-use client connection factory (a new connection per
 * greeting), an inbound adapter that puts each greeting on the {@code clientOutcomes}
 * queue, and the gateway that takes them from it. The receive-only design never writes to
 * the server, so it cannot race a server that speaks first.
 *
 * @author tcp-greeter team
 */
@Configuration(proxyBeanMethods = false)
@Profile("client")
class ClientConfiguration {

	@Bean
	TcpNetClientConnectionFactory clientConnectionFactory(ClientProperties properties,
			SimpleAsyncTaskExecutorBuilder executorBuilder, ObjectProvider<SslBundles> sslBundles) {
		TcpNetClientConnectionFactory factory = new ProxyingConnectionFactory(properties.host(), properties.port(),
				properties.proxy());
		factory.setSingleUse(true);
		factory.setLookupHost(false);
		int timeoutMillis = Math.toIntExact(Math.min(properties.timeout().toMillis(), Integer.MAX_VALUE));
		factory.setSoTimeout(timeoutMillis);
		// The framework takes whole seconds here: round up, never down to zero.
		factory.setConnectTimeout((int) Math.max(1, (properties.timeout().toMillis() + 999) / 1000));
		factory.setDeserializer(new ReadToEndDeserializer((int) properties.maxSize().toBytes(), properties.timeout()));
		factory.setTaskExecutor(executorBuilder.threadNamePrefix("greeter-client-").build());
		String bundleName = properties.ssl().bundle();
		if (bundleName != null) {
			// The default socket support verifies that the server's certificate matches
			// the host name.
			SslBundle bundle = sslBundles.getObject().getBundle(bundleName);
			factory.setTcpSocketFactorySupport(new DefaultTcpNetSSLSocketFactorySupport(bundle::createSslContext));
		}
		return factory;
	}

	@Bean
	QueueChannel clientOutcomes() {
		return new QueueChannel();
	}

	@Bean
	IntegrationFlow greetingReceiverFlow(TcpNetClientConnectionFactory clientConnectionFactory,
			QueueChannel clientOutcomes) {
		return IntegrationFlow.from(Tcp.inboundAdapter(clientConnectionFactory).id("greetingReceiver"))
			.channel(clientOutcomes)
			.get();
	}

	@Bean
	GatewayProxyFactoryBean<GreetingGateway> greetingGateway(ClientProperties properties) {
		GatewayProxyFactoryBean<GreetingGateway> gateway = new GatewayProxyFactoryBean<>(GreetingGateway.class);
		gateway.setDefaultReplyChannelName("clientOutcomes");
		// Connect and read each take at most the timeout; the rest is a margin for a
		// loaded machine.
		gateway.setDefaultReplyTimeout(2 * properties.timeout().toMillis() + 5_000);
		return gateway;
	}

	@Bean
	ConnectionFailures connectionFailures(TcpNetClientConnectionFactory clientConnectionFactory,
			QueueChannel clientOutcomes, ClientProperties properties) {
		return new ConnectionFailures(clientConnectionFactory.getComponentName(), clientOutcomes, properties);
	}

	@Bean
	GreetingFetcher greetingFetcher(TcpNetClientConnectionFactory clientConnectionFactory,
			GreetingGateway greetingGateway, QueueChannel clientOutcomes, ClientProperties properties) {
		return new GreetingFetcher(clientConnectionFactory, greetingGateway, clientOutcomes, properties);
	}

	// Chosen at run time, not by a condition: in the image's AOT mode the bean set is
	// fixed at build time.
	@Bean
	ClientRunner clientRunner(GreetingFetcher greetingFetcher, ClientProperties properties,
			SimpleAsyncTaskExecutorBuilder executorBuilder, Environment environment,
			ObjectProvider<SslBundles> sslBundles) {
		Fetcher fetcher = (properties.protocol() == ClientProperties.Protocol.UDP) ? new DatagramFetcher(properties)
				: greetingFetcher;
		// Watch mode makes and times each connection on a thread of its own: virtual
		// threads where there are (21+), a new platform thread each otherwise, bounded by
		// its concurrency either way.
		TaskExecutor threads = executorBuilder.virtualThreads(Threading.VIRTUAL.isActive(environment))
			.threadNamePrefix("greeter-watch-")
			.build();
		String bundle = properties.ssl().bundle();
		SSLContext tls = (bundle != null && properties.watching())
				? sslBundles.getObject().getBundle(bundle).createSslContext() : null;
		return new ClientRunner(fetcher, new WatchRunner(properties, threads, tls), properties);
	}

}
