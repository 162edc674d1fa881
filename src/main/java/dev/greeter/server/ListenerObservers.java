package dev.greeter.server;

/**
 * Makes the observer of each listener; the metrics implement it. A bean of this type is
 * optional: without one, nothing observes the listeners.
 *
 * @author tcp-greeter team
 */
@FunctionalInterface
public interface ListenerObservers {

	/**
	 * The observer for one listener, made once, before the listener starts.
	 * @param listener the listener
	 * @return its observer
	 */
	ListenerObserver observe(ServerListener listener);

}
