package dev.greeter.support;

import java.io.UncheckedIOException;

import org.springframework.messaging.MessagingException;

/**
 * The failure underneath the framework's wrappers. Spring Integration hands a socket's
 * failure over wrapped in a {@link MessagingException}, and its serializers wrap an
 * {@link java.io.IOException} in an {@link UncheckedIOException}; what a person or a
 * meter should see is the cause inside them, no deeper: the innermost cause of an
 * {@code SSLException}, say, is often less telling than the exception itself.
 *
 * @author tcp-greeter team
 */
public final class Causes {

	private Causes() {
	}

	/**
	 * The failure without its framework wrappers.
	 * @param failure the failure as the framework reported it
	 * @return the first cause that is not a wrapper (the failure itself when it is none)
	 */
	public static Throwable unwrapped(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof MessagingException || cause instanceof UncheckedIOException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

}
