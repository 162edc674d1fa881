package dev.greeter.server;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.Range;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import dev.greeter.proxy.ProxyProtocol;

/**
 * How the greeting server listens ({@code greeter.server.*}).
 *
 * @param port the TCP port; 0 picks a free one
 * @param address the address to bind; all interfaces when not set
 * @param backlog how many connections the kernel queues before the server accepts them
 * (the kernel caps it at {@code net.core.somaxconn})
 * @param linger how long, after the greeting, the server reads and discards what a client
 * sends before it closes anyway; also how long it waits for a silent client to close
 * @param logConnections whether each connection is logged at INFO
 * @param maxConnections how many connections may be open at once; beyond it a new
 * connection is closed at once, without a greeting, and counted as rejected
 * @param writeTimeout how long writing one greeting may take before the connection is cut
 * off (a client that never reads a greeting larger than the socket buffers would
 * otherwise hold a thread for ever)
 * @param proxyProtocol whether connections start with a PROXY protocol header (v1 or v2)
 * naming the real client, as HAProxy and cloud load balancers send
 * @param proxyProtocolTimeout how long a PROXY header may take to arrive in full; with
 * {@code optional}, also how long a client that sends nothing waits for its greeting
 * @param shutdownDelay how long, after SIGTERM, readiness answers 503 while greetings go
 * on, before the drain starts: for load balancers that health-check the readiness URL and
 * need that long to stop sending clients
 * @param maintenanceFile while this file exists, readiness is OUT_OF_SERVICE: a switch
 * for failover drills that needs no HTTP write endpoint
 * @param portFile once every listener listens and the application is ready, the ports
 * really bound are written to this file, one {@code local.greeter.listener.<name>.port}
 * line each (and {@code local.server.port}, the actuator's), as a Java properties file;
 * it is removed when the application stops: for scripts and tests that start the server
 * on port 0
 * @param reportInterval the shortest time between two reports of the same kind of trouble
 * (rejected connections, failed accepts): the first is logged at once, the rest are
 * counted and logged together when the interval ends
 * @author tcp-greeter team
 */
@ConfigurationProperties("greeter.server")
@Validated
public record ServerSettings(@DefaultValue("8000") @Range(min = 0, max = 65535) int port, @Nullable InetAddress address,
		@DefaultValue("1024") @Range(min = 1, max = 65535) int backlog,
		@DefaultValue("2s") @NotNull @DurationMin(millis = 1) @DurationMax(minutes = 10) Duration linger,
		@DefaultValue("true") boolean logConnections,
		@DefaultValue("2048") @Range(min = 1, max = 1_000_000) int maxConnections,
		@DefaultValue("10s") @NotNull @DurationMin(millis = 1) @DurationMax(minutes = 10) Duration writeTimeout,
		@DefaultValue @NotNull @Valid Ssl ssl, @DefaultValue("off") @NotNull ProxyProtocol proxyProtocol,
		@DefaultValue("1s") @NotNull @DurationMin(millis = 1) @DurationMax(minutes = 1) Duration proxyProtocolTimeout,
		@DefaultValue("10s") @NotNull @DurationMin(millis = 10) @DurationMax(hours = 1) Duration reportInterval,
		@DefaultValue("0s") @NotNull @DurationMax(minutes = 10) Duration shutdownDelay, @Nullable Path maintenanceFile,
		@Nullable Path portFile) {

	/**
	 * TLS for the greeting port ({@code greeter.server.ssl.*}).
	 *
	 * @param bundle the name of a Spring Boot SSL bundle ({@code spring.ssl.bundle.*});
	 * plain TCP when not set
	 * @param clientAuth whether clients must present a certificate the bundle's trust
	 * material accepts
	 */
	public record Ssl(@Nullable String bundle, @DefaultValue("none") @NotNull ClientAuth clientAuth) {

	}

	/**
	 * Client-certificate authentication.
	 */
	public enum ClientAuth {

		/** No client certificate is asked for. */
		NONE,

		/** A client certificate is asked for, and checked when given. */
		WANT,

		/** A client without an accepted certificate is refused. */
		NEED

	}

}
