/**
 * The tcp-greeter application: {@code main()} only; each role has a package of its own.
 */
@NullMarked
package dev.greeter;

import org.jspecify.annotations.NullMarked;
