/**
 * The TCP path: the connection factory and its accept loop, the connection, the greeting
 * written on it, the drain that ends it cleanly (a selector, or a thread where one is
 * needed), TLS and the PROXY header at its start.
 */
@NullMarked
package dev.greeter.server.tcp;

import org.jspecify.annotations.NullMarked;
