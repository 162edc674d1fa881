package dev.greeter.server;

/**
 * The greeting server could not start listening; the application must not run without it.
 *
 * @author tcp-greeter team
 */
public class ServerStartException extends RuntimeException {

	private final int port;

	private final String address;

	ServerStartException(int port, String address, Throwable cause) {
		super("The greeting server could not listen on port " + port + " (" + address + "): " + cause.getMessage(),
				cause);
		this.port = port;
		this.address = address;
	}

	/**
	 * The port the server was asked to listen on.
	 * @return the port
	 */
	public int getPort() {
		return this.port;
	}

	/**
	 * The address the server was asked to bind, as a person would write it.
	 * @return the address
	 */
	public String getAddress() {
		return this.address;
	}

}
