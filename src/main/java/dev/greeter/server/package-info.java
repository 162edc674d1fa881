/**
 * The TCP listener: a Spring Integration server connection factory, the greeting written
 * on every new connection, the half-close and drain that end it cleanly, and the server
 * settings.
 */
@NullMarked
package dev.greeter.server;

import org.jspecify.annotations.NullMarked;
