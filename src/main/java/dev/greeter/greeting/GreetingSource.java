package dev.greeter.greeting;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Holds the greeting being served. The server asks it for every connection; a reload of
 * the greeting file replaces it, and tells the application with a
 * {@link GreetingChangedEvent}.
 *
 * @author tcp-greeter team
 */
public final class GreetingSource {

	private final ApplicationEventPublisher events;

	private volatile ServedGreeting served;

	GreetingSource(ServedGreeting served, ApplicationEventPublisher events) {
		this.served = served;
		this.events = events;
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
