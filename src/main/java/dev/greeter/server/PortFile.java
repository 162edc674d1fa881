package dev.greeter.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.env.Environment;

/**
 * Writes the ports really bound to {@code greeter.server.port-file} once the application
 * is ready, and removes the file when it stops. A script that starts the server on port 0
 * waits for the file instead of parsing the log, whose wording is for people. The file
 * appears whole or not at all (written beside it, then moved), so a reader never sees
 * half of it.
 * <p>
 * It says which two events it wants ({@link #supportsEventType}) rather than taking every
 * event and looking: the server publishes three events per connection, and a listener of
 * every event would be called for each of them.
 *
 * @author tcp-greeter team
 */
final class PortFile implements SmartApplicationListener {

	private static final Logger logger = LoggerFactory.getLogger(PortFile.class);

	private final @Nullable Path file;

	private final Listeners listeners;

	private final Environment environment;

	PortFile(@Nullable Path file, Listeners listeners, Environment environment) {
		this.file = file;
		this.listeners = listeners;
		this.environment = environment;
	}

	@Override
	public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
		return ApplicationReadyEvent.class.isAssignableFrom(eventType)
				|| ContextClosedEvent.class.isAssignableFrom(eventType);
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (this.file == null) {
			return;
		}
		if (event instanceof ApplicationReadyEvent) {
			write(this.file, contents());
		}
		else if (event instanceof ContextClosedEvent) {
			try {
				Files.deleteIfExists(this.file);
			}
			catch (IOException ex) {
				logger.warn("Port file {} not removed: {}", this.file, ex.getMessage());
			}
		}
	}

	@Override
	public boolean supportsAsyncExecution() {
		return false;
	}

	String contents() {
		StringBuilder lines = new StringBuilder();
		for (ServerListener listener : this.listeners.all()) {
			String property = Listeners.portProperty(listener.name());
			lines.append(property).append('=').append(this.environment.getRequiredProperty(property)).append('\n');
		}
		String actuator = this.environment.getProperty("local.server.port");
		if (actuator != null) {
			lines.append("local.server.port=").append(actuator).append('\n');
		}
		return lines.toString();
	}

	private static void write(Path file, String contents) {
		Path partial = file.resolveSibling(file.getFileName() + ".partial");
		try {
			Files.writeString(partial, contents, StandardCharsets.UTF_8);
			Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			// Ready, but a script waiting for the file would wait for ever: stop instead.
			throw new UncheckedIOException(
					"greeter.server.port-file " + file + " cannot be written: " + ex.getMessage(), ex);
		}
	}

}
