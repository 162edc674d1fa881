/**
 * The few helpers that the client and the server both need, and that know nothing of
 * either: what they share is here, so that they share nothing else.
 */
@NullMarked
package dev.greeter.support;

import org.jspecify.annotations.NullMarked;
