package dev.greeter.server;

/**
 * A listener could not start listening; the application must not run without it.
 *
 * @author tcp-greeter team
 */
public class ServerStartException extends RuntimeException {

	private final int port;

	private final String portProperty;

	public ServerStartException(ListenerSettings listener, Throwable cause) {
		super("The greeting server could not listen on "
				+ ((listener.protocol() == ListenerProperties.Protocol.UDP) ? "UDP " : "") + "port " + listener.port()
				+ " (" + listener.describeAddress()
				+ (listener.configured() ? ", listener '" + listener.name() + "'" : "") + "): " + cause.getMessage(),
				cause);
		this.port = listener.port();
		this.portProperty = listener.property("port");
	}

	/**
	 * The port the listener was asked to listen on.
	 * @return the port
	 */
	public int getPort() {
		return this.port;
	}

	/**
	 * The property that sets the port.
	 * @return for example {@code greeter.server.port}
	 */
	public String getPortProperty() {
		return this.portProperty;
	}

}
