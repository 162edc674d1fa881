package dev.greeter.probe;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

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

import dev.greeter.client.ClientProperties;

/**
 * The probe's targets, {@code greeter.probe.targets.<name>.*}.
 *
 * @param targets the targets by name; the name is the {@code target} tag of every series
 * @author tcp-greeter team
 */
@ConfigurationProperties("greeter.probe")
@Validated
public record ProbeProperties(@DefaultValue @NotNull Map<String, @Valid @NotNull Target> targets) {

	/**
	 * One target: an address to probe continuously.
	 *
	 * @param url {@code tcp://host:port}, {@code tls://host:port} or
	 * {@code udp://host:port}; the host is resolved again every interval, and every
	 * address it resolves to is probed on its own
	 * @param interval how often each address is probed
	 * @param timeout how long connecting, and then the whole greeting (or a UDP reply),
	 * may take
	 * @param expect a regular expression the whole greeting must match, or none
	 * @param answerPattern what of the greeting names the instance that answered: the
	 * first group of this expression if it has one, else what it matched; the greeting's
	 * first line when not set
	 * @param maxAnswers how many distinct answers a target keeps as series; the rest are
	 * counted as {@code other}
	 * @param maxSize the largest greeting accepted
	 * @param proxy a PROXY protocol header to send first (TCP and TLS)
	 * @param sslBundle the SSL bundle whose trust store checks a TLS target's
	 * certificate; the JDK's trusted roots when not set
	 * @param payload what each UDP request carries
	 */
	public record Target(@NotNull URI url,
			@DefaultValue("1s") @NotNull @DurationMin(millis = 10) @DurationMax(hours = 1) Duration interval,
			@DefaultValue("2s") @NotNull @DurationMin(millis = 1) @DurationMax(minutes = 10) Duration timeout,
			@Nullable Pattern expect, @Nullable Pattern answerPattern,
			@DefaultValue("20") @Range(min = 1, max = 1000) int maxAnswers,
			@DefaultValue("64KB") @NotNull DataSize maxSize, @DefaultValue @NotNull ClientProperties.Proxy proxy,
			@Nullable String sslBundle, @DefaultValue("") @NotNull String payload) {

		public Target {
			if (url != null) {
				String scheme = (url.getScheme() != null) ? url.getScheme().toLowerCase(Locale.ROOT) : "";
				if (!scheme.equals("tcp") && !scheme.equals("tls") && !scheme.equals("udp") || url.getHost() == null
						|| url.getPort() < 1) {
					throw new IllegalArgumentException(
							"url must be tcp://host:port, tls://host:port or udp://host:port, " + "not '" + url + "'");
				}
				if (scheme.equals("udp") && proxy != null && proxy.enabled()) {
					throw new IllegalArgumentException("proxy.version is for TCP and TLS targets, not " + url);
				}
			}
			if (maxSize != null && (maxSize.toBytes() < 1 || maxSize.toBytes() > Integer.MAX_VALUE - 8)) {
				throw new IllegalArgumentException("max-size must be between 1B and 2GB, not " + maxSize);
			}
		}

		String scheme() {
			return this.url.getScheme().toLowerCase(Locale.ROOT);
		}

		String host() {
			String host = this.url.getHost();
			// A bracketed IPv6 literal ([::1]) as the URI keeps it.
			return (host.startsWith("[") && host.endsWith("]")) ? host.substring(1, host.length() - 1) : host;
		}

	}

}
