package dev.greeter;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Profiles;

import dev.greeter.server.CleanStopOnSigterm;

/**
 * Starts tcp-greeter: a TCP server that writes a greeting to every client and closes, or
 * with the {@code client} profile, a client that prints greetings and exits.
 *
 * @author tcp-greeter team
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GreeterApplication {

	public static void main(String[] args) {
		CleanStopOnSigterm.install();
		ConfigurableApplicationContext context = SpringApplication.run(GreeterApplication.class, args);
		// The client profile is a command: it has run by now, and its exit status is the
		// program's.
		if (context.getEnvironment().acceptsProfiles(Profiles.of("client"))) {
			// Unless a signal's shutdown closed the context while the client ran (a watch
			// prints its summary first): the JVM then exits with the signal's status.
			if (context.isActive()) {
				System.exit(SpringApplication.exit(context));
			}
		}
	}

}
