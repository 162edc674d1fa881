package dev.greeter.server;

import java.net.InetAddress;
import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.Range;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

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
 * @author tcp-greeter team
 */
@ConfigurationProperties("greeter.server")
@Validated
public record ServerProperties(@DefaultValue("8000") @Range(min = 0, max = 65535) int port,
		@Nullable InetAddress address, @DefaultValue("1024") @Range(min = 1, max = 65535) int backlog,
		@DefaultValue("2s") @NotNull @DurationMin(millis = 1) @DurationMax(minutes = 10) Duration linger,
		@DefaultValue("true") boolean logConnections) {

	/**
	 * The bound address as people write it, for messages.
	 * @return the address, or a phrase for all interfaces
	 */
	String describeAddress() {
		return (this.address != null) ? this.address.getHostAddress() : "all interfaces";
	}

}
