package dev.greeter.greeting;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * The greeting of every listener, by the listener's name ({@code default} when no
 * {@code greeter.listeners} are configured). A listener's greeting is compiled when the
 * server first asks for it, from what {@code greeter.listeners.<name>.*} says and, for
 * what it leaves unset, from {@code greeter.*}.
 *
 * @author tcp-greeter team
 */
public final class GreetingSources {

	private final Function<String, Created> create;

	private final Map<String, GreetingSource> byListener = new LinkedHashMap<>();

	private final List<GreetingFileWatcher.Watched> files = new ArrayList<>();

	GreetingSources(Function<String, Created> create) {
		this.create = create;
	}

	/**
	 * The greeting a listener serves, compiled the first time it is asked for.
	 * @param listener the listener's name
	 * @return its greeting
	 * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
	 * when its greeting cannot be served
	 */
	public synchronized GreetingSource forListener(String listener) {
		GreetingSource source = this.byListener.get(listener);
		if (source == null) {
			Created created = this.create.apply(listener);
			source = created.source();
			this.byListener.put(listener, source);
			if (created.file() != null) {
				this.files.add(created.file());
			}
		}
		return source;
	}

	/**
	 * Every listener's greeting.
	 * @return the greetings by listener name, in the order the listeners asked for them
	 */
	public synchronized Map<String, GreetingSource> all() {
		return Collections.unmodifiableMap(new LinkedHashMap<>(this.byListener));
	}

	synchronized List<GreetingFileWatcher.Watched> files() {
		return List.copyOf(this.files);
	}

	/**
	 * A listener's greeting, and its file to watch.
	 *
	 * @param source the greeting
	 * @param file the file, when it comes from one
	 */
	record Created(GreetingSource source, GreetingFileWatcher.@Nullable Watched file) {

	}

}
