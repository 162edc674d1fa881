/**
 * What the server reports: Spring Integration's TCP connection events and greeting
 * outcomes turned into Micrometer meters, and the health of the TCP server.
 */
@NullMarked
package dev.greeter.metrics;

import org.jspecify.annotations.NullMarked;
