package dev.greeter.server;

import java.net.BindException;
import java.util.Locale;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a greeting server that could not listen in one paragraph, with what to do
 * about it.
 *
 * @author tcp-greeter team
 */
class ServerStartFailureAnalyzer extends AbstractFailureAnalyzer<ServerStartException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ServerStartException cause) {
		String description = cause.getMessage();
		String port = cause.getPortProperty();
		String address = port.substring(0, port.length() - "port".length()) + "address";
		String action = (cause.getCause() instanceof BindException)
				? "Stop the process that uses port " + cause.getPort() + ", or choose another port with " + port
						+ " (environment variable " + environmentVariable(port) + ") or another address with " + address
						+ "."
				: "Check " + port + " and " + address + " (environment variables " + environmentVariable(port) + " and "
						+ environmentVariable(address) + ").";
		return new FailureAnalysis(description, action, cause);
	}

	// As Spring Boot's relaxed binding reads it: GREETER_LISTENERS_TLS_PORT.
	private static String environmentVariable(String property) {
		return property.replace('.', '_').replace("-", "").toUpperCase(Locale.ROOT);
	}

}
