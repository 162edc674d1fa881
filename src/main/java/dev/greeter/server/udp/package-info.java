/**
 * The UDP path: a socket per local address and a catch-all, the reply sent from the
 * address asked, and the limits on replies.
 */
@NullMarked
package dev.greeter.server.udp;

import org.jspecify.annotations.NullMarked;
