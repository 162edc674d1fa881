package dev.greeter.client;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

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

import dev.greeter.proxy.ProxyHeaderWriter;

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
 * @param proxy a PROXY protocol header to send first, as a load balancer would
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
		@DefaultValue("text") @NotNull Format format, @DefaultValue @NotNull @Valid Proxy proxy) {

	public ClientProperties {
		if (maxSize != null && (maxSize.toBytes() < 1 || maxSize.toBytes() > Integer.MAX_VALUE - 8)) {
			throw new IllegalArgumentException("greeter.client.max-size must be between 1B and 2GB, not " + maxSize);
		}
		if (protocol == Protocol.UDP && ssl != null && ssl.bundle() != null) {
			throw new IllegalArgumentException(
					"greeter.client.ssl.bundle is for TCP; with greeter.client.protocol=udp there is no TLS (DTLS is "
							+ "not supported)");
		}
		if (protocol == Protocol.UDP && proxy != null && proxy.version() != ProxyVersion.OFF) {
			throw new IllegalArgumentException(
					"greeter.client.proxy.version is for TCP; tcp-greeter's UDP listeners " + "take no PROXY header");
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
	 * A PROXY protocol header sent before anything else on each connection (before the
	 * TLS handshake too), to check a listener that requires one without a load balancer
	 * in front.
	 *
	 * @param version {@code off} (the default), {@code v1} (text) or {@code v2} (binary)
	 * @param sourceAddress the client address the header names; the connection's own when
	 * not set
	 * @param sourcePort the client port the header names; the connection's own when 0
	 */
	public record Proxy(@DefaultValue("off") @NotNull ProxyVersion version, @Nullable InetAddress sourceAddress,
			@DefaultValue("0") @Range(min = 0, max = 65535) int sourcePort) {

		/**
		 * The header for one connection.
		 * @param local the connection's own address
		 * @param server the address it connected to
		 * @return the header's bytes
		 */
		byte[] header(InetSocketAddress local, InetSocketAddress server) {
			InetAddress address = (this.sourceAddress != null) ? this.sourceAddress : local.getAddress();
			int port = (this.sourcePort != 0) ? this.sourcePort : local.getPort();
			return ProxyHeaderWriter.write((this.version == ProxyVersion.V1) ? 1 : 2,
					new InetSocketAddress(address, port), server);
		}

		/**
		 * Whether a header is sent.
		 * @return false with {@code version=off}
		 */
		public boolean enabled() {
			return this.version != ProxyVersion.OFF;
		}

		/**
		 * Send the header, if one is configured, on a connection just made: before
		 * anything else, TLS included.
		 * @param socket the plain connection
		 * @throws IOException if it cannot be sent, or cannot name these addresses
		 */
		public void sendOn(Socket socket) throws IOException {
			if (!enabled()) {
				return;
			}
			byte[] header;
			try {
				header = header((InetSocketAddress) socket.getLocalSocketAddress(),
						(InetSocketAddress) socket.getRemoteSocketAddress());
			}
			catch (IllegalArgumentException ex) {
				throw new IOException("greeter.client.proxy: " + ex.getMessage(), ex);
			}
			OutputStream out = socket.getOutputStream();
			out.write(header);
			out.flush();
		}

	}

	/**
	 * Which PROXY protocol header the client sends.
	 */
	public enum ProxyVersion {

		/** None. */
		OFF,

		/** Version 1, one line of text. */
		V1,

		/** Version 2, binary. */
		V2

	}

	/**
	 * The server as people write it.
	 * @return {@code host:port}
	 */
	String target() {
		return this.host + ":" + this.port;
	}

}
