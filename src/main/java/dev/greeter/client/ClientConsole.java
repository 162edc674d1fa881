package dev.greeter.client;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.Profiles;

/**
 * In the client profile, moves the console log to standard error, so that standard output
 * carries the greetings and nothing else: a script can use it as it is. Boot has no
 * setting for the console's target, and a logback file of our own would replace Boot's
 * defaults for the server too.
 *
 * @author tcp-greeter team
 */
class ClientConsole implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		if (!event.getEnvironment().acceptsProfiles(Profiles.of("client"))) {
			return;
		}
		ILoggerFactory factory = LoggerFactory.getILoggerFactory();
		if (factory instanceof LoggerContext context) {
			Appender<?> console = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
			if (console instanceof ConsoleAppender<?> appender) {
				appender.stop();
				appender.setTarget("System.err");
				appender.start();
			}
		}
	}

	@Override
	public int getOrder() {
		// Right after Boot has set up logging from the environment.
		return LoggingApplicationListener.DEFAULT_ORDER + 1;
	}

}
