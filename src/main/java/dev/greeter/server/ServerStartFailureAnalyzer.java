package dev.greeter.server;

import java.net.BindException;

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
		String action = (cause.getCause() instanceof BindException)
				? "Stop the process that uses port " + cause.getPort()
						+ ", or choose another port with greeter.server.port (environment variable"
						+ " GREETER_SERVER_PORT) or another address with greeter.server.address."
				: "Check greeter.server.port and greeter.server.address (environment variables GREETER_SERVER_PORT"
						+ " and GREETER_SERVER_ADDRESS).";
		return new FailureAnalysis(description, action, cause);
	}

}
