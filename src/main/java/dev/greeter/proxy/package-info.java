/**
 * The PROXY protocol (versions 1 and 2, as HAProxy specifies it): how a load balancer in
 * front of the server tells it the real client's address before the connection's own
 * bytes.
 */
@NullMarked
package dev.greeter.proxy;

import org.jspecify.annotations.NullMarked;
