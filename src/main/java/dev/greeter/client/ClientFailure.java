package dev.greeter.client;

/**
 * A connection that gave no acceptable greeting, and the one line that tells a person
 * why.
 *
 * @param kind the kind of failure
 * @param message what happened, without the program name
 * @author tcp-greeter team
 */
record ClientFailure(FailureKind kind, String message) {

}
