package dev.greeter.probe;

import org.jspecify.annotations.Nullable;

/**
 * What one probe of one address found.
 *
 * @param outcome how it ended
 * @param connectNanos how long connecting took, or -1 if it did not connect (UDP: -1)
 * @param tlsNanos how long the TLS handshake took, or -1 without one
 * @param totalNanos from the start to the whole greeting, or -1 without one
 * @param greeting the greeting's text when one arrived whole
 * @param certificateExpiry the server certificate's end of validity (epoch seconds), or
 * -1
 * @author tcp-greeter team
 */
record Attempt(Outcome outcome, long connectNanos, long tlsNanos, long totalNanos, @Nullable String greeting,
		long certificateExpiry) {

	static Attempt failed(Outcome outcome, long connectNanos, long tlsNanos, long certificateExpiry) {
		return new Attempt(outcome, connectNanos, tlsNanos, -1, null, certificateExpiry);
	}

}
