package dev.greeter;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Starts tcp-greeter: a TCP server that writes a greeting to every client and closes.
 *
 * @author tcp-greeter team
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GreeterApplication {

	public static void main(String[] args) {
		SpringApplication.run(GreeterApplication.class, args);
	}

}
