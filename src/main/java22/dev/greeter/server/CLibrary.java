package dev.greeter.server;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * The C library's functions, for the socket options and calls the JDK has no API for
 * (TCP's listening-socket cork, UDP's destination address), through the foreign function
 * API. Compiled for Java 22 and loaded only there. The structures those calls take are
 * those of Linux on 64-bit x86 and ARM, the only platforms they are made on.
 *
 * @author tcp-greeter team
 */
public final class CLibrary {

	private CLibrary() {
	}

	/**
	 * Whether this platform's structures are the ones these classes know.
	 * @return true on Linux on x86-64 and ARM64
	 */
	public static boolean supported() {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch", "");
		return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
	}

	/**
	 * A handle on one of the C library's functions.
	 * @param name the function's name
	 * @param descriptor its signature
	 * @param options the linker's options ({@code errno} to capture, say)
	 * @return the handle
	 * @throws IllegalStateException if the C library has no such function
	 */
	public static MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
		Linker linker = Linker.nativeLinker();
		MemorySegment symbol = linker.defaultLookup()
			.find(name)
			.orElseThrow(() -> new IllegalStateException("the C library has no " + name));
		return linker.downcallHandle(symbol, descriptor, options);
	}

}
