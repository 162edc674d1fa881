package dev.greeter.server;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.Environment;

import dev.greeter.proxy.ProxyProtocol;
import dev.greeter.server.ListenerProperties.Listener;
import dev.greeter.server.ListenerProperties.Protocol;
import dev.greeter.server.ServerSettings.ClientAuth;

/**
 * One listener as it will run: its own settings, and for each one it left unset, the
 * server's ({@code greeter.server.*}). TCP-only settings are not inherited by a UDP
 * listener; set on one, they stop start-up.
 *
 * @param name the listener's name, in its meters, health and logs
 * @param configured whether it is one of {@code greeter.listeners}, rather than the
 * default listener made from {@code greeter.server.*}
 * @param protocol TCP or UDP
 * @param port the port; 0 picks one
 * @param address the address to bind, or {@code null} for all of the host's
 * @param backlog the TCP accept queue
 * @param proxyProtocol whether a PROXY protocol header comes first (TCP)
 * @param proxyProtocolTimeout how long that header may take
 * @param sslBundle the TLS bundle, or {@code null} for plain TCP
 * @param clientAuth whether TLS clients need a certificate
 * @param maxConnections how many connections may be open at once (TCP)
 * @param maxConnectionsExplicit whether that limit was set, rather than the default
 * @param linger how long a client is drained after its greeting (TCP)
 * @param writeTimeout how long writing one greeting may take (TCP)
 * @param logConnections whether each connection is logged (TCP)
 * @param udp the amplification limits (UDP)
 * @author tcp-greeter team
 */
public record ListenerSettings(String name, boolean configured, Protocol protocol, int port,
		@Nullable InetAddress address, int backlog, ProxyProtocol proxyProtocol, Duration proxyProtocolTimeout,
		@Nullable String sslBundle, ClientAuth clientAuth, int maxConnections, boolean maxConnectionsExplicit,
		Duration linger, Duration writeTimeout, boolean logConnections, ListenerProperties.Udp udp) {

	/** The name of the one listener there is when none is configured. */
	static final String DEFAULT = "default";

	// A DNS label, as Kubernetes names ports: it goes into meter tags and log keys as is.
	private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

	/**
	 * The property that sets a setting of this listener, for messages.
	 * @param key the setting, for example {@code port}
	 * @return for example {@code greeter.listeners.syslog.port}, or
	 * {@code greeter.server.port} for the default listener
	 */
	public String property(String key) {
		return this.configured ? "greeter.listeners." + this.name + "." + key : "greeter.server." + key;
	}

	/**
	 * The bound address as people write it, for messages.
	 * @return the address, or a phrase for all interfaces
	 */
	public String describeAddress() {
		return (this.address != null) ? this.address.getHostAddress() : "all interfaces";
	}

	/**
	 * The listeners to run.
	 * @param server the server's settings, which listeners inherit
	 * @param listeners the listeners configured, maybe none
	 * @param environment to tell a setting given from a default
	 * @return one listener, {@code default}, when none is configured; else each
	 * configured one, in name order
	 */
	public static List<ListenerSettings> resolve(ServerSettings server, ListenerProperties listeners,
			Environment environment) {
		boolean maxConnectionsSet = environment.containsProperty(ConnectionCapacity.PROPERTY);
		if (listeners.listeners().isEmpty()) {
			return List.of(new ListenerSettings(DEFAULT, false, Protocol.TCP, server.port(), server.address(),
					server.backlog(), server.proxyProtocol(), server.proxyProtocolTimeout(), server.ssl().bundle(),
					server.ssl().clientAuth(), server.maxConnections(), maxConnectionsSet, server.linger(),
					server.writeTimeout(), server.logConnections(), ListenerProperties.Udp.defaults()));
		}
		List<ListenerSettings> resolved = new ArrayList<>();
		// In name order: the order of property sources is not one a person chose.
		for (Map.Entry<String, Listener> entry : new TreeMap<>(listeners.listeners()).entrySet()) {
			ListenerSettings listener = resolve(entry.getKey(), entry.getValue(), server, maxConnectionsSet);
			for (ListenerSettings other : resolved) {
				if (listener.clashesWith(other)) {
					throw new InvalidConfigurationPropertyValueException(listener.property("port"), listener.port,
							"listener '" + other.name + "' has the same " + other.protocol.name() + " port on "
									+ (listener.address == null || other.address == null ? "overlapping addresses"
											: "the same address")
									+ "; give one of them another port or address");
				}
			}
			resolved.add(listener);
		}
		return List.copyOf(resolved);
	}

	private static ListenerSettings resolve(String name, Listener listener, ServerSettings server,
			boolean maxConnectionsSet) {
		String prefix = "greeter.listeners." + name + ".";
		if (!NAME.matcher(name).matches()) {
			throw new InvalidConfigurationPropertyValueException(prefix + "*", name,
					"a listener's name must be lower-case letters, digits and inner hyphens, at most 63 "
							+ "(as a Kubernetes port name), for example 'qotd-udp'");
		}
		Protocol protocol = (listener.protocol() != null) ? listener.protocol() : Protocol.TCP;
		int port = (listener.port() != null) ? listener.port() : server.port();
		InetAddress address = (listener.address() != null) ? listener.address() : server.address();
		if (protocol == Protocol.UDP) {
			refuseOnUdp(prefix, "proxy-protocol",
					(listener.proxyProtocol() != null && listener.proxyProtocol() != ProxyProtocol.OFF)
							? listener.proxyProtocol() : null,
					"a datagram has no PROXY protocol header");
			refuseOnUdp(prefix, "ssl.bundle", (listener.ssl() != null) ? listener.ssl().bundle() : null,
					"TLS needs a TCP connection (DTLS is not supported)");
			refuseOnUdp(prefix, "max-connections", listener.maxConnections(), "UDP has no connections");
			refuseOnUdp(prefix, "linger", listener.linger(), "UDP has no connections to drain");
			refuseOnUdp(prefix, "write-timeout", listener.writeTimeout(), "a datagram is sent at once");
			refuseOnUdp(prefix, "ssl.client-auth", (listener.ssl() != null) ? listener.ssl().clientAuth() : null,
					"TLS needs a TCP connection (DTLS is not supported)");
			refuseOnUdp(prefix, "log-connections", listener.logConnections(),
					"UDP has no connections to log; greeter_datagrams_* count its datagrams");
			return new ListenerSettings(name, true, protocol, port, address, server.backlog(), ProxyProtocol.OFF,
					server.proxyProtocolTimeout(), null, ClientAuth.NONE, 1, false, server.linger(),
					server.writeTimeout(), false, listener.udp());
		}
		ListenerProperties.Ssl ssl = listener.ssl();
		return new ListenerSettings(name, true, protocol, port, address, server.backlog(),
				(listener.proxyProtocol() != null) ? listener.proxyProtocol() : server.proxyProtocol(),
				server.proxyProtocolTimeout(),
				(ssl != null && ssl.bundle() != null) ? ssl.bundle() : server.ssl().bundle(),
				(ssl != null && ssl.clientAuth() != null) ? ssl.clientAuth() : server.ssl().clientAuth(),
				(listener.maxConnections() != null) ? listener.maxConnections() : server.maxConnections(),
				listener.maxConnections() != null || maxConnectionsSet,
				(listener.linger() != null) ? listener.linger() : server.linger(),
				(listener.writeTimeout() != null) ? listener.writeTimeout() : server.writeTimeout(),
				(listener.logConnections() != null) ? listener.logConnections() : server.logConnections(),
				listener.udp());
	}

	private static void refuseOnUdp(String prefix, String key, @Nullable Object value, String why) {
		if (value != null) {
			throw new InvalidConfigurationPropertyValueException(prefix + key,
					(value instanceof Enum<?> e) ? e.name().toLowerCase(Locale.ROOT) : value,
					"not for a UDP listener: " + why + "; remove it, or make the listener TCP");
		}
	}

	private boolean clashesWith(ListenerSettings other) {
		return this.protocol == other.protocol && this.port != 0 && this.port == other.port
				&& (this.address == null || other.address == null || this.address.equals(other.address));
	}

}
