package dev.greeter.server;

import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

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
		// sun.misc.Signal (in jdk.unsupported, the JDK's only way to handle a signal) is
		// named once, here: the compiler warns once, and jdeps still sees that the
		// runtime needs jdk.unsupported. Naming it in the calls, or writing the handler
		// as a lambda, would make three warnings of one line.
		Class<?> signal = sun.misc.Signal.class;
		try {
			Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			Object term = lookup.findConstructor(signal, MethodType.methodType(void.class, String.class))
				.invoke("TERM");
			Object handler = MethodHandleProxies.asInterfaceInstance(handlerType, lookup
				.findStatic(CleanStopOnSigterm.class, "terminate", MethodType.methodType(void.class, Object.class)));
			lookup.findStatic(signal, "handle", MethodType.methodType(handlerType, signal, handlerType))
				.invoke(term, handler);
		}
		catch (IllegalArgumentException ex) {
			// No SIGTERM here (or it is reserved): the JVM's default handling stays.
		}
		catch (Throwable ex) {
			throw new IllegalStateException("The SIGTERM handler cannot be installed: " + ex, ex);
		}
	}

	private static void terminate(Object signal) {
		System.exit(status);
	}

	/**
	 * From now on this process is a greeting server, and a SIGTERM is a normal stop.
	 */
	static void serverStarting() {
		status = 0;
	}

}
