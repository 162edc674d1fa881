package dev.greeter.server;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

/**
 * A static method of a class compiled for Java 22 ({@code src/main/java22}, the foreign
 * function API's first final release), found by name so that its caller still runs on 17;
 * or why there is none here: an older runtime, a platform whose C structures those
 * classes do not know ({@code CLibrary.supported()}), or a jar built on an older JDK.
 *
 * @param method the method, or {@code null}
 * @param missing why there is none, or {@code null}
 * @author tcp-greeter team
 */
public record Java22Method(@Nullable Method method, @Nullable String missing) {

	private static final int FIRST_RUNTIME = 22;

	private static final String C_LIBRARY = "dev.greeter.server.CLibrary";

	/**
	 * Find the method.
	 * @param purpose what it does, as the reason for its absence names it ("setting
	 * TCP_CORK")
	 * @param type the class's name
	 * @param name the method's name
	 * @param parameters its parameter types
	 * @return the method, or why there is none
	 */
	public static Java22Method find(String purpose, String type, String name, Class<?>... parameters) {
		if (Runtime.version().feature() < FIRST_RUNTIME) {
			return new Java22Method(null, purpose + " needs Java " + FIRST_RUNTIME + " or later; this is Java "
					+ Runtime.version().feature());
		}
		try {
			if (!(boolean) Class.forName(C_LIBRARY).getMethod("supported").invoke(null)) {
				return new Java22Method(null, purpose + " is built for Linux on x86-64 and ARM64 only; this is "
						+ System.getProperty("os.name") + " on " + System.getProperty("os.arch"));
			}
			return new Java22Method(Class.forName(type).getDeclaredMethod(name, parameters), null);
		}
		catch (ReflectiveOperationException | LinkageError ex) {
			return new Java22Method(null, "this build of tcp-greeter has no Java " + FIRST_RUNTIME
					+ " classes (it was built on an older JDK)");
		}
	}

}
