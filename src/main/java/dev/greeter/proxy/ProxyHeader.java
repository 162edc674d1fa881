package dev.greeter.proxy;

import java.net.InetSocketAddress;

import org.jspecify.annotations.Nullable;

/**
 * A PROXY protocol header, parsed.
 *
 * @param version 1 (text) or 2 (binary)
 * @param source the real client, or {@code null} when the proxy does not name one (a v1
 * {@code UNKNOWN}, a v2 {@code LOCAL} command such as a health check, or an address
 * family without an IP address): then the connection's own peer is the client
 * @param length how many bytes the header took: what follows it (a TLS handshake, say)
 * starts there
 * @author tcp-greeter team
 */
public record ProxyHeader(int version, @Nullable InetSocketAddress source, int length) {

	static ProxyHeader local(int version, int length) {
		return new ProxyHeader(version, null, length);
	}

}
