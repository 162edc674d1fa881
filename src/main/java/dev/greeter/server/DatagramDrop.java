package dev.greeter.server;

import java.util.Locale;

/**
 * Why a datagram got no reply, as the {@code reason} tag of
 * {@code greeter_datagrams_dropped_total} says it.
 *
 * @author tcp-greeter team
 */
public enum DatagramDrop {

	/** Its source had used up its replies for now (the per-source token bucket). */
	SOURCE_RATE,

	/** The listener had used up its replies for now (the total token bucket). */
	TOTAL_RATE,

	/** The reply would have been larger than {@code udp.max-reply-size}. */
	TOO_LARGE,

	/** The reply could not be sent (the network said no, or a bug). */
	SEND_FAILED,

	/**
	 * It came to a local address that no socket of the listener is bound to, on a runtime
	 * that cannot read a datagram's destination (before Java 22): a reply would leave
	 * from an address the client did not ask, so none is sent.
	 */
	UNKNOWN_DESTINATION;

	/**
	 * The tag value.
	 * @return for example {@code source_rate}
	 */
	public String tag() {
		return name().toLowerCase(Locale.ROOT);
	}

}
