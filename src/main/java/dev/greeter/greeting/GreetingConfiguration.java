package dev.greeter.greeting;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Provides the configured {@link Greeting}.
 *
 * @author tcp-greeter team
 */
@Configuration(proxyBeanMethods = false)
class GreetingConfiguration {

	@Bean
	Greeting greeting(GreetingProperties properties) {
		return properties.toGreeting();
	}

}
