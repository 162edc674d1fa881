package dev.greeter.server.tcp;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The drain selector's log lines, batched per turn: what reaches standard output, and in
 * how many writes. A real Logback console appender named as Spring Boot names its own,
 * writing to a standard output that records each write it is given.
 */
class ConsoleBatchTests {

	private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

	private final Logger root = this.context.getLogger(Logger.ROOT_LOGGER_NAME);

	private final Logger logger = this.context.getLogger(ConsoleBatchTests.class);

	private final Writes writes = new Writes();

	private final PrintStream originalOut = System.out;

	private ConsoleAppender<ILoggingEvent> console;

	private Appender<ILoggingEvent> displaced;

	@BeforeEach
	void consoleOfOurOwn() {
		this.displaced = this.root.getAppender("CONSOLE");
		if (this.displaced != null) {
			this.root.detachAppender(this.displaced);
		}
		PatternLayoutEncoder encoder = new PatternLayoutEncoder();
		encoder.setContext(this.context);
		encoder.setPattern("%m%n");
		encoder.start();
		this.console = new ConsoleAppender<>();
		this.console.setName("CONSOLE");
		this.console.setContext(this.context);
		this.console.setEncoder(encoder);
		this.console.start();
		this.logger.setLevel(Level.INFO);
		this.logger.setAdditive(false);
		this.logger.addAppender(this.console);
		this.root.addAppender(this.console);
		System.setOut(new PrintStream(this.writes, true, StandardCharsets.UTF_8));
	}

	@AfterEach
	void restore() {
		System.setOut(this.originalOut);
		this.logger.detachAppender(this.console);
		this.logger.setAdditive(true);
		this.logger.setLevel(null);
		this.root.detachAppender(this.console);
		this.console.stop();
		if (this.displaced != null) {
			this.root.addAppender(this.displaced);
		}
	}

	@Test
	void theLinesOfATurnGoOutInOneWriteAtItsEnd() {
		ConsoleBatch.install();
		List<String> seenDuring = new ArrayList<>();
		new ConsoleBatch().during(() -> {
			this.logger.info("Connection established with 127.0.0.1:1");
			this.logger.info("Connection established with 127.0.0.1:2");
			this.logger.info("Connection established with 127.0.0.1:3");
			seenDuring.addAll(this.writes.each);
		});
		assertThat(seenDuring).as("nothing is written before the turn ends").isEmpty();
		assertThat(this.writes.each).containsExactly("Connection established with 127.0.0.1:1\n"
				+ "Connection established with 127.0.0.1:2\n" + "Connection established with 127.0.0.1:3\n");
	}

	@Test
	void withoutABatchEveryLineIsWrittenAtOnce() {
		ConsoleBatch.install();
		this.logger.info("one");
		assertThat(this.writes.each).containsExactly("one\n");
		this.logger.info("two");
		assertThat(this.writes.each).containsExactly("one\n", "two\n");
	}

	@Test
	void anotherThreadWritesThroughWhileATurnIsOpen() throws InterruptedException {
		ConsoleBatch.install();
		List<String> seenDuring = new ArrayList<>();
		new ConsoleBatch().during(() -> {
			this.logger.info("from the selector");
			Thread other = new Thread(() -> this.logger.info("from elsewhere"));
			other.start();
			join(other);
			seenDuring.addAll(this.writes.each);
		});
		assertThat(seenDuring).containsExactly("from elsewhere\n");
		assertThat(this.writes.each).containsExactly("from elsewhere\n", "from the selector\n");
	}

	@Test
	void aTurnThatFailsStillWritesWhatItLogged() {
		ConsoleBatch.install();
		assertThatIllegalStateException().isThrownBy(() -> new ConsoleBatch().during(() -> {
			this.logger.info("logged before the failure");
			throw new IllegalStateException("a bug in the turn");
		}));
		assertThat(this.writes.each).containsExactly("logged before the failure\n");
	}

	@Test
	void installingTwiceWrapsTheConsoleOnce() {
		ConsoleBatch.install();
		ConsoleBatch.install();
		new ConsoleBatch().during(() -> this.logger.info("once"));
		assertThat(this.writes.each).containsExactly("once\n");
	}

	private static void join(Thread thread) {
		try {
			thread.join(5000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Standard output's bytes, one entry per write the console gave it: PrintStream hands
	 * each of its writes on whole.
	 */
	private static final class Writes extends ByteArrayOutputStream {

		final List<String> each = new ArrayList<>();

		@Override
		public synchronized void write(byte[] bytes, int offset, int length) {
			this.each.add(new String(bytes, offset, length, StandardCharsets.UTF_8));
		}

	}

}
