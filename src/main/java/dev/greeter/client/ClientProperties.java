package dev.greeter.client;

import java.time.Duration;
import java.util.regex.Pattern;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.Range;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * What the client connects to and how ({@code greeter.client.*}).
 *
 * @param host the server's host name or address
 * @param port the server's TCP port
 * @param timeout how long to wait to connect, and then for the whole greeting
 * @param maxSize the largest greeting accepted; a larger one is a failure
 * @param count how many connections to make
 * @param concurrency how many connections may be open at once
 * @param summary print each distinct greeting once with its count and share, instead of
 * every greeting
 * @param expect a regular expression every greeting must match (anywhere in it, as
 * {@code grep} does)
 * @param ssl TLS to the server
 * @param protocol {@code tcp} (the default): connect and read the greeting; {@code udp}:
 * send one datagram and read the one that comes back
 * @param udp how the UDP client asks
 * @param duration watch mode: keep connecting for this long, at {@code rate} connections
 * per second, and report each interval and a summary; {@code count} is then not used
 * @param rate in watch mode, connections per second, spread evenly
 * @param interval in watch mode, how often a line reports the interval just ended
 * @param maxFailures in watch mode, how many failed connections still exit 0; any failure
 * exits non-zero when not set
 * @param format {@code text} for people, {@code json} (one object per line) for scripts
 * @author tcp-greeter team
 */
@ConfigurationProperties("greeter.client")
@Validated
public record ClientProperties(@DefaultValue("localhost") @NotBlank String host,
		@DefaultValue("8000") @Range(min = 1, max = 65535) int port,
		@DefaultValue("5s") @NotNull @DurationMin(millis = 1) Duration timeout,
		@DefaultValue("64KB") @NotNull DataSize maxSize, @DefaultValue("1") @Min(1) @Max(100_000_000) int count,
		@DefaultValue("1") @Min(1) @Max(4096) int concurrency, @DefaultValue("false") boolean summary,
		@Nullable Pattern expect, @DefaultValue @NotNull Ssl ssl, @DefaultValue("tcp") @NotNull Protocol protocol,
		@DefaultValue @NotNull @Valid Udp udp, @Nullable @DurationMin(millis = 1) Duration duration,
		@DefaultValue("100") @Range(min = 1, max = 100_000) int rate,
		@DefaultValue("1s") @NotNull @DurationMin(millis = 10) Duration interval, @Nullable @Min(0) Integer maxFailures,
		@DefaultValue("text") @NotNull Format format) {

	public ClientProperties {
		if (maxSize != null && (maxSize.toBytes() < 1 || maxSize.toBytes() > Integer.MAX_VALUE - 8)) {
			throw new IllegalArgumentException("greeter.client.max-size must be between 1B and 2GB, not " + maxSize);
		}
		if (protocol == Protocol.UDP && ssl != null && ssl.bundle() != null) {
			throw new IllegalArgumentException(
					"greeter.client.ssl.bundle is for TCP; with greeter.client.protocol=udp there is no TLS (DTLS is "
							+ "not supported)");
		}
	}

	/**
	 * Whether the client watches a path for a while rather than making {@code count}
	 * connections.
	 * @return true with {@code greeter.client.duration}
	 */
	boolean watching() {
		return this.duration != null;
	}

	/**
	 * How many connections watch mode may have in flight: {@code concurrency} when it is
	 * raised above 1, else 64, so that a few slow connections do not hold up the rate.
	 * @return the bound
	 */
	int watchConcurrency() {
		return (this.concurrency > 1) ? this.concurrency : 64;
	}

	/**
	 * How the client reports.
	 */
	public enum Format {

		/** Lines for people. */
		TEXT,

		/** One JSON object per line, for scripts and CI. */
		JSON

	}

	/**
	 * The transport the client uses.
	 */
	public enum Protocol {

		/** Connect, read the greeting to the end. */
		TCP,

		/** Send a datagram, read the reply datagram. */
		UDP

	}

	/**
	 * The UDP client ({@code greeter.client.udp.*}). UDP loses datagrams without a word,
	 * so the client asks again: {@code greeter.client.timeout} bounds the whole exchange,
	 * split evenly between the first datagram and the retries.
	 *
	 * @param payload what each datagram carries (RFC 865 and 867 servers ignore it);
	 * empty by default
	 * @param retries how many more datagrams to send when no reply has come
	 */
	public record Udp(@DefaultValue("") @NotNull String payload,
			@DefaultValue("2") @Range(min = 0, max = 100) int retries) {

	}

	/**
	 * TLS to the server ({@code greeter.client.ssl.*}).
	 *
	 * @param bundle the name of a Spring Boot SSL bundle whose trust material (and key,
	 * for client certificates) to use; plain TCP when not set. The server's certificate
	 * must match {@code greeter.client.host}.
	 */
	public record Ssl(@Nullable String bundle) {

	}

	/**
	 * The server as people write it.
	 * @return {@code host:port}
	 */
	String target() {
		return this.host + ":" + this.port;
	}

}
