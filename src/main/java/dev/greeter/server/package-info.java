/**
 * The listeners and their lifecycle: settings, start, readiness, the drain on shutdown,
 * and what every transport shares (timers, rate-limited warnings, the observer the meters
 * listen through).
 */
@NullMarked
package dev.greeter.server;

import org.jspecify.annotations.NullMarked;
