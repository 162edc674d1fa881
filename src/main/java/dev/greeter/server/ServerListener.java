package dev.greeter.server;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What the rest of the application may know of a running listener: its health and its
 * meters are drawn from this.
 *
 * @author tcp-greeter team
 */
public interface ServerListener {

	/**
	 * The listener's name.
	 * @return for example {@code default}
	 */
	String name();

	/**
	 * Its transport.
	 * @return {@code tcp} or {@code udp}
	 */
	String protocol();

	/**
	 * The port it listens on: the one really bound once it listens.
	 * @return the port
	 */
	int port();

	/**
	 * Whether it can greet now.
	 * @return true while its socket is open and served
	 */
	boolean isListening();

	/**
	 * Why it cannot greet new clients although it listens, when that is so: its health is
	 * DOWN then, as when it does not listen.
	 * @return the reason, or null while nothing holds it up
	 */
	default @Nullable String stalled() {
		return null;
	}

	/**
	 * How many accepted sockets are not connections yet: waiting for their PROXY protocol
	 * header, mostly. They hold a descriptor and a place like any connection.
	 * @return the count; 0 for UDP
	 */
	default int startingConnections() {
		return 0;
	}

	/**
	 * What it serves, as a person reads it.
	 * @return for example {@code all interfaces}, or an address
	 */
	String served();

	/**
	 * The local addresses it has a socket of its own on, where it binds one per address.
	 * @return the addresses; empty for a listener with one socket
	 */
	default List<String> addresses() {
		return List.of();
	}

}
