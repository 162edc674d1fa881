/**
 * The client profile ({@code --spring.profiles.active=client}): a Spring Integration
 * client that connects, receives greetings without ever writing, prints them and exits
 * with a status a script can trust.
 */
@NullMarked
package dev.greeter.client;

import org.jspecify.annotations.NullMarked;
