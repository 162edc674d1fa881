/**
 * What the server says: the greeting text, its line ending and its bytes on the wire.
 * Nothing here knows about sockets or Spring Integration.
 */
@NullMarked
package dev.greeter.greeting;

import org.jspecify.annotations.NullMarked;
