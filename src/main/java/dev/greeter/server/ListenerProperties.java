package dev.greeter.server;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.Range;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import dev.greeter.greeting.GreetingMode;
import dev.greeter.greeting.LineEnding;
import dev.greeter.proxy.ProxyProtocol;

/**
 * The listeners ({@code greeter.listeners.<name>.*}): each a port the server greets on,
 * TCP or UDP. What a listener leaves unset comes from {@code greeter.server.*} and
 * {@code greeter.*}. With no listener configured there is one, {@code default}, made from
 * those settings alone.
 *
 * @param listeners each listener's settings, by its name
 * @author tcp-greeter team
 */
@ConfigurationProperties("greeter")
@Validated
public record ListenerProperties(@DefaultValue @NotNull Map<String, @Valid @NotNull Listener> listeners) {

	/**
	 * One listener's settings; each one unset is inherited.
	 *
	 * @param protocol {@code tcp} (the default) or {@code udp}
	 * @param port the port; 0 picks a free one
	 * @param address the address to bind; {@code greeter.server.address} when not set
	 * @param greeting this listener's greeting text, instead of {@code greeter.greeting}
	 * @param greetingFile a file to read this listener's greeting from, reloaded when it
	 * changes
	 * @param mode what this listener sends ({@code greeter.mode} when not set)
	 * @param lineEnding what follows its greeting ({@code greeter.line-ending} when not
	 * set)
	 * @param proxyProtocol whether its connections start with a PROXY protocol header
	 * (TCP only)
	 * @param ssl TLS on this listener (TCP only)
	 * @param maxConnections how many of its connections may be open at once (TCP only)
	 * @param linger how long it drains a client after the greeting (TCP only)
	 * @param writeTimeout how long writing one greeting may take (TCP only)
	 * @param logConnections whether each of its connections is logged at INFO (TCP only)
	 * @param udp the limits of a UDP listener
	 */
	public record Listener(@Nullable Protocol protocol, @Nullable @Range(min = 0, max = 65535) Integer port,
			@Nullable InetAddress address, @Nullable String greeting, @Nullable Path greetingFile,
			@Nullable GreetingMode mode, @Nullable LineEnding lineEnding, @Nullable ProxyProtocol proxyProtocol,
			@Nullable @Valid Ssl ssl, @Nullable @Range(min = 1, max = 1_000_000) Integer maxConnections,
			@Nullable @DurationMin(millis = 1) @DurationMax(minutes = 10) Duration linger,
			@Nullable @DurationMin(millis = 1) @DurationMax(minutes = 10) Duration writeTimeout,
			@Nullable Boolean logConnections, @DefaultValue @NotNull @Valid Udp udp) {

	}

	/**
	 * TLS on one listener.
	 *
	 * @param bundle the name of a Spring Boot SSL bundle
	 * @param clientAuth whether clients must present a certificate
	 */
	public record Ssl(@Nullable String bundle, ServerSettings.@Nullable ClientAuth clientAuth) {

	}

	/**
	 * What keeps a UDP listener from amplifying: a reply to a forged source address goes
	 * to a victim, so replies are small and rate-limited, per source and in total.
	 *
	 * @param maxReplySize the largest reply sent (RFC 865 advises a quote under 512
	 * characters); a greeting that can be larger stops start-up, and a larger rendering
	 * is dropped
	 * @param repliesPerSecond replies per second to all sources together; bursts of as
	 * many are allowed
	 * @param repliesPerSecondPerSource replies per second to one source address; bursts
	 * of as many are allowed
	 * @param maxSources how many source addresses the per-source limit tracks at once;
	 * beyond it, new sources share the total limit only until old ones age out
	 * @param addressCheckInterval how often a listener without an address lists the
	 * host's addresses, to bind a socket to each new one and close those of addresses
	 * gone
	 */
	public record Udp(@DefaultValue("512B") @NotNull DataSize maxReplySize,
			@DefaultValue("1000") @Range(min = 1, max = 10_000_000) int repliesPerSecond,
			@DefaultValue("10") @Range(min = 1, max = 1_000_000) int repliesPerSecondPerSource,
			@DefaultValue("10000") @Range(min = 1, max = 10_000_000) int maxSources,
			@DefaultValue("2s") @NotNull @DurationMin(millis = 100) @DurationMax(
					minutes = 10) Duration addressCheckInterval) {

		static Udp defaults() {
			return new Udp(DataSize.ofBytes(512), 1000, 10, 10_000, Duration.ofSeconds(2));
		}

		public Udp {
			if (maxReplySize != null && (maxReplySize.toBytes() < 1 || maxReplySize.toBytes() > 65_507)) {
				throw new IllegalArgumentException(
						"max-reply-size must be between 1B and 65507B (the largest UDP payload), not " + maxReplySize);
			}
		}

	}

	/**
	 * The transport a listener serves.
	 */
	public enum Protocol {

		/** A TCP port: greet each connection, then close. */
		TCP,

		/** A UDP port: answer each datagram with one datagram. */
		UDP

	}

}
