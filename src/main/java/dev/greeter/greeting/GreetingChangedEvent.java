package dev.greeter.greeting;

import org.springframework.context.ApplicationEvent;

/**
 * The greeting file was reloaded, and a new greeting is being served.
 *
 * @author tcp-greeter team
 */
public final class GreetingChangedEvent extends ApplicationEvent {

	private final ServedGreeting greeting;

	GreetingChangedEvent(GreetingSource source, ServedGreeting greeting) {
		super(source);
		this.greeting = greeting;
	}

	/**
	 * The greeting now served.
	 * @return the greeting
	 */
	public ServedGreeting greeting() {
		return this.greeting;
	}

}
