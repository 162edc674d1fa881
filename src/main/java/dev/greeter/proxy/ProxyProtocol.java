package dev.greeter.proxy;

/**
 * Whether connections start with a PROXY protocol header
 * ({@code greeter.server.proxy-protocol}).
 *
 * @author tcp-greeter team
 */
public enum ProxyProtocol {

	/** No header is read: the connection's peer is the client. */
	OFF,

	/**
	 * A header is used when one arrives within the timeout; a client that sends other
	 * bytes, or nothing, is greeted as itself. Meant for a migration: anyone who can
	 * reach the port directly can claim any address.
	 */
	OPTIONAL,

	/** Every connection must start with a valid header, or it is closed ungreeted. */
	REQUIRED

}
