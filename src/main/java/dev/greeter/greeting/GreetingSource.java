package dev.greeter.greeting;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Holds the greeting one listener serves. The server asks it for every connection; a
 * reload of the greeting file replaces it, and tells the application with a
 * {@link GreetingChangedEvent}.
 *
 * @author tcp-greeter team
 */
public final class GreetingSource {

	private final String listener;

	private final ApplicationEventPublisher events;

	private volatile ServedGreeting served;

	GreetingSource(String listener, ServedGreeting served, ApplicationEventPublisher events) {
		this.listener = listener;
		this.served = served;
		this.events = events;
	}

	/**
	 * The listener this greeting is served on.
	 * @return its name
	 */
	public String listener() {
		return this.listener;
	}

	/**
	 * The greeting to serve now.
	 * @return the greeting
	 */
	public ServedGreeting current() {
		return this.served;
	}

	void serve(ServedGreeting greeting) {
		this.served = greeting;
		this.events.publishEvent(new GreetingChangedEvent(this, greeting));
	}

	void reloadFailed(String reason) {
		this.events.publishEvent(new GreetingReloadFailedEvent(this, reason));
	}

}
