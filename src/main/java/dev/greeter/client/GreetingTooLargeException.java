package dev.greeter.client;

import java.io.IOException;

/**
 * The server sent more than {@code greeter.client.max-size} before closing.
 *
 * @author tcp-greeter team
 */
class GreetingTooLargeException extends IOException {

	GreetingTooLargeException(int maxSize) {
		super("greeting larger than " + maxSize + " bytes");
	}

}
