package dev.greeter.server;

import sun.misc.Signal;

/**
 * Makes SIGTERM a normal stop for the greeting server: {@code System.exit(0)}, which runs
 * the same shutdown hooks (Spring Boot closes the context, so the server drains as
 * usual). Without it the JVM reports an orderly shutdown as status 143, "terminated by a
 * signal", and a clean rolling restart looks like a crash to whatever watches exit codes.
 * <p>
 * The handler is installed first thing in {@code main}, and answers 143 as the JVM would
 * until the server is being set up: a SIGTERM that arrives as soon as the server listens
 * is a normal stop too, while a killed client (the client profile) still reports that it
 * was terminated.
 *
 * @author tcp-greeter team
 */
public final class CleanStopOnSigterm {

	private static final int TERMINATED = 128 + 15;

	private static volatile int status = TERMINATED;

	private CleanStopOnSigterm() {
	}

	/**
	 * Install the handler; where the platform has no SIGTERM, leave the JVM's default.
	 */
	public static void install() {
		try {
			Signal.handle(new Signal("TERM"), (signal) -> System.exit(status));
		}
		catch (IllegalArgumentException ex) {
			// No SIGTERM here (or it is reserved): the JVM's default handling stays.
		}
	}

	/**
	 * From now on this process is a greeting server, and a SIGTERM is a normal stop.
	 */
	static void serverStarting() {
		status = 0;
	}

}
