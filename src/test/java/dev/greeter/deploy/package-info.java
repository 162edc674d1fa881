/**
 * Tests of what ships beside the jar: the container image and the deployment files.
 */
@NullMarked
package dev.greeter.deploy;

import org.jspecify.annotations.NullMarked;
