package dev.greeter.greeting;

import org.springframework.context.ApplicationEvent;

/**
 * The greeting file changed but could not be served; the previous greeting still is.
 *
 * @author tcp-greeter team
 */
public final class GreetingReloadFailedEvent extends ApplicationEvent {

	private final String reason;

	GreetingReloadFailedEvent(GreetingSource source, String reason) {
		super(source);
		this.reason = reason;
	}

	/**
	 * Why the file could not be served.
	 * @return one line
	 */
	public String reason() {
		return this.reason;
	}

}
