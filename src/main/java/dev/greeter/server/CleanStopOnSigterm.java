package dev.greeter.server;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

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
 * <p>
 * <b>A stop that cannot finish ends all the same.</b> The stop writes log lines, and a
 * log line blocks while the standard output is a pipe that nobody reads (a paused
 * terminal, a stalled log shipper): the stop then waited for ever, and only SIGKILL ended
 * the process, which a plain shell's {@code kill} does not send. So a SIGTERM to the
 * server also arms a deadline, longer than any stop that goes as designed
 * ({@link ShutdownBudget#stopDeadline}); at the deadline the process halts with status
 * {@value #STUCK}, not 0, since its stop did not finish, and says so on standard error if
 * that can still be written.
 *
 * @author tcp-greeter team
 */
public final class CleanStopOnSigterm {

	private static final int TERMINATED = 128 + 15;

	// The exit status of a stop that did not finish by its deadline.
	static final int STUCK = 1;

	private static volatile int status = TERMINATED;

	private static volatile Duration stopDeadline = Duration.ZERO;

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
		if (status == 0) {
			armDeadline(stopDeadline);
		}
		System.exit(status);
	}

	/**
	 * From now on this process is a greeting server, and a SIGTERM is a normal stop.
	 * @param deadline how long a stop may take before the process halts
	 */
	static void serverStarting(Duration deadline) {
		stopDeadline = deadline;
		status = 0;
	}

	// Runtime.halt takes a lock of its own, not the one System.exit holds while the
	// shutdown hooks run: it ends the process even while a hook is stuck.
	private static void armDeadline(Duration deadline) {
		Thread watchdog = new Thread(() -> {
			try {
				Thread.sleep(deadline.toMillis());
			}
			catch (InterruptedException ex) {
				return;
			}
			tell("tcp-greeter: the stop did not finish within " + deadline.toSeconds()
					+ " s of SIGTERM (is the standard output blocked?); halting with status " + STUCK);
			Runtime.getRuntime().halt(STUCK);
		}, "stop-deadline");
		watchdog.setDaemon(true);
		watchdog.start();
	}

	// Straight to the descriptor, on a thread of its own, waited for a second at most:
	// standard error may be the very pipe that blocks. The stream is not closed, which
	// would close the process's descriptor 2 itself.
	private static void tell(String line) {
		Thread teller = new Thread(() -> {
			try {
				OutputStream err = new FileOutputStream(FileDescriptor.err);
				err.write((line + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
				err.flush();
			}
			catch (IOException ex) {
				// nowhere left to say it
			}
		}, "stop-deadline-message");
		teller.setDaemon(true);
		teller.start();
		try {
			teller.join(1000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
