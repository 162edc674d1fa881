package dev.greeter.greeting;

/**
 * What a template may say about the connection it greets.
 *
 * @param clientAddress the client's IP address as text (the real client's, behind a PROXY
 * protocol load balancer)
 * @param clientPort the client's port
 * @param serverPort the port the server accepted the connection on
 * @param sequence the connection's number among those this instance accepted, from 1
 * @author tcp-greeter team
 */
public record ConnectionFacts(String clientAddress, int clientPort, int serverPort, long sequence) {

}
