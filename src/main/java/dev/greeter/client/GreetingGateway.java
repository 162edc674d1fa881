package dev.greeter.client;

import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;

/**
 * The client's messaging gateway: a method without arguments receives the next outcome (a
 * greeting, or a {@link ClientFailure}) from the channel the inbound adapter fills. It
 * never sends anything: a request/reply gateway would race a server that speaks first.
 *
 * @author tcp-greeter team
 */
interface GreetingGateway {

	/**
	 * The next outcome, greeting or failure.
	 * @return the outcome, or {@code null} when none arrived within the gateway's reply
	 * timeout
	 */
	@Nullable Message<?> receive();

}
