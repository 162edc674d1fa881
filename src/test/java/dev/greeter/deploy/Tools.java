package dev.greeter.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the command-line tools these tests need. A missing tool skips the test with a
 * message saying how to get it, except in CI ({@code CI=true}), where it fails the build.
 */
public final class Tools {

	private Tools() {
	}

	/**
	 * A command's exit status and everything it printed.
	 */
	public record Result(int exitCode, String output) {

	}

	public static void require(boolean available, String what, String howToGet) {
		String message = what + " is not available: " + howToGet;
		if (!available && "true".equals(System.getenv("CI"))) {
			fail(message + " (.ci/run provides it)");
		}
		assumeTrue(available, message);
	}

	public static boolean onPath(String name) {
		return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
			.map((directory) -> Path.of(directory, name))
			.anyMatch(Files::isExecutable);
	}

	/**
	 * Run the JDK's keytool on a PKCS12 store, with one password for the store and its
	 * keys, and fail the test if it fails.
	 * @param password the store's (and a new key's) password
	 * @param arguments keytool's arguments, {@code -genkeypair ...} for example
	 * @throws IOException if it cannot be run
	 */
	public static void keytool(String password, String... arguments) throws IOException {
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
		command.addAll(List.of(arguments));
		command.addAll(List.of("-storepass", password, "-storetype", "PKCS12"));
		if (List.of(arguments).contains("-genkeypair")) {
			command.addAll(List.of("-keypass", password));
		}
		Result result = run(Duration.ofMinutes(1), command.toArray(String[]::new));
		assertThat(result.exitCode()).as(result.output()).isZero();
	}

	static Optional<Result> tryRun(Duration timeout, String... command) {
		try {
			return Optional.of(run(timeout, command));
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Run a command to its end, bounded in time; its output goes to a file, so it can be
	 * as long as a build's.
	 * @param timeout how long it may take
	 * @param command the command
	 * @return its exit status and output
	 * @throws IOException if it cannot be started or does not end in time
	 */
	public static Result run(Duration timeout, String... command) throws IOException {
		return run(timeout, Map.of(), command);
	}

	/**
	 * Run a command with more environment variables, to its end, bounded in time.
	 * @param timeout how long it may take
	 * @param environment variables added to this process's environment
	 * @param command the command
	 * @return its exit status and output
	 * @throws IOException if it cannot be started or does not end in time
	 */
	public static Result run(Duration timeout, Map<String, String> environment, String... command) throws IOException {
		Path log = Files.createTempFile("tool-", ".log");
		try {
			ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
				.redirectOutput(log.toFile());
			builder.environment().putAll(environment);
			Process process = builder.start();
			try {
				if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
					process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
					throw new IOException(String.join(" ", command) + " did not end within " + timeout + ":\n"
							+ tail(Files.readString(log, StandardCharsets.UTF_8)));
				}
			}
			catch (InterruptedException ex) {
				process.destroyForcibly();
				Thread.currentThread().interrupt();
				throw new IOException("interrupted", ex);
			}
			return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
		}
		finally {
			Files.deleteIfExists(log);
		}
	}

	static String tail(String output) {
		return (output.length() <= 4000) ? output : "..." + output.substring(output.length() - 4000);
	}

}
