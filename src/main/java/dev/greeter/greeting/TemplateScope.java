package dev.greeter.greeting;

import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The values a template can fold in once, when it is compiled: this host's name and the
 * environment variables it is allowed to read.
 *
 * @param hostname this host's name, asked for only when a template uses it
 * @param allowedEnv the environment variables {@code ${env.NAME}} may name
 * @param env reads an environment variable
 * @author tcp-greeter team
 */
record TemplateScope(Supplier<String> hostname, Set<String> allowedEnv, Function<String, @Nullable String> env) {

}
