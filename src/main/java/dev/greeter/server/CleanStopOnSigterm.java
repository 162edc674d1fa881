package dev.greeter.server;

import sun.misc.Signal;

/**
 * Makes SIGTERM a normal stop: {@code System.exit(0)}, which runs the same shutdown hooks
 * (Spring Boot closes the context, so the server drains as usual). Without it the JVM
 * reports an orderly shutdown as status 143, "terminated by a signal", and a clean
 * rolling restart looks like a crash to whatever watches exit codes.
 *
 * @author tcp-greeter team
 */
public final class CleanStopOnSigterm {

	private CleanStopOnSigterm() {
	}

	/**
	 * Install the handler; where the platform has no SIGTERM, leave the JVM's default.
	 */
	public static void install() {
		try {
			Signal.handle(new Signal("TERM"), (signal) -> System.exit(0));
		}
		catch (IllegalArgumentException ex) {
			// No SIGTERM here (or it is reserved): the JVM's default handling stays.
		}
	}

}
