package dev.greeter.greeting;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

/**
 * Checks {@link GreetingFitsMaxSize}, reporting the failure on {@code max-greeting-size}
 * so that the start-up message names a property (and not the whole greeting, which may be
 * long).
 *
 * @author tcp-greeter team
 */
class GreetingFitsMaxSizeValidator implements ConstraintValidator<GreetingFitsMaxSize, GreetingProperties> {

	@Override
	public boolean isValid(GreetingProperties properties, ConstraintValidatorContext context) {
		if (properties.greeting() == null || properties.lineEnding() == null || properties.maxGreetingSize() == null) {
			return true; // reported by the field constraints
		}
		long max = properties.maxGreetingSize().toBytes();
		int size = Greeting.sizeOnWire(properties.greeting(), properties.lineEnding());
		if (size <= max) {
			return true;
		}
		context.disableDefaultConstraintViolation();
		context
			.buildConstraintViolationWithTemplate("is smaller than greeter.greeting, which takes " + size
					+ " bytes on the wire with its line ending; shorten the greeting or raise this limit")
			.addPropertyNode("max-greeting-size")
			.addConstraintViolation();
		return false;
	}

}
