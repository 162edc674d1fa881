package dev.greeter.server.tcp;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.context.ApplicationListener;
import org.springframework.integration.ip.tcp.connection.TcpConnectionOpenEvent;

import dev.greeter.RunningServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which threads serve connections. A plain connection is greeted on its listener's
 * accepting thread, a platform thread, and drained by the listener's drain selector: no
 * thread per connection. One that may have to wait before its greeting (a PROXY header to
 * read, a TLS handshake, a greeting rendered per connection) gets a thread of its own
 * from the server's executor: virtual on Java 21+ (with the default
 * {@code spring.threads.virtual.enabled=true}), pooled platform threads on Java 17; never
 * Boot's bounded {@code applicationTaskExecutor}, whose threads are named {@code task-}.
 */
class ConnectionThreadsTests {

	@Test
	void plainConnectionsAreGreetedOnTheAcceptingThreadAndNoThreadIsStartedForThem() throws Exception {
		try (RunningServer server = RunningServer.start()) {
			BlockingQueue<Thread> threads = greetingThreads(server);
			server.fetch(); // the listener's own threads are up
			Set<Thread> before = Thread.getAllStackTraces().keySet();
			for (int i = 0; i < 50; i++) {
				assertThat(server.fetch()).asString().isEqualTo("Hello World! This is Bhushan\r\n");
			}
			Set<Thread> greeting = new HashSet<>();
			for (int i = 0; i < 51; i++) {
				greeting.add(threads.poll(RunningServer.CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
			}
			assertThat(greeting).singleElement().satisfies((thread) -> {
				assertThat(thread.getName()).isEqualTo("accept-default");
				assertThat(isVirtual(thread)).isFalse();
			});
			Set<Thread> started = new HashSet<>(Thread.getAllStackTraces().keySet());
			started.removeAll(before);
			assertThat(started).as("threads started while 50 connections were served")
				.noneMatch((thread) -> thread.getName().startsWith("greeter-"));
		}
	}

	@Test
	@EnabledForJreRange(max = JRE.JAVA_20)
	void connectionsThatMayWaitRunOnTheServersOwnPlatformThreadsBeforeJava21() throws Exception {
		Thread thread = threadGreetingAConnectionThatMayWait();
		assertThat(thread.getName()).startsWith("greeter-").isNotEqualTo("accept-default");
		assertThat(isVirtual(thread)).isFalse();
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void connectionsThatMayWaitRunOnVirtualThreadsFromJava21() throws Exception {
		Thread thread = threadGreetingAConnectionThatMayWait();
		assertThat(isVirtual(thread)).as("virtual thread: %s", thread).isTrue();
		assertThat(thread.getName()).startsWith("greeter-");
	}

	@Test
	void aGreetingRenderedPerConnectionIsGreetedOnAThreadOfItsOwn() throws Exception {
		try (RunningServer server = RunningServer.start("greeter.greeting=Hello ${connection.count}")) {
			BlockingQueue<Thread> threads = greetingThreads(server);
			assertThat(server.fetch()).asString().isEqualTo("Hello 1\r\n");
			Thread thread = threads.poll(RunningServer.CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			assertThat(thread).isNotNull();
			assertThat(thread.getName()).startsWith("greeter-").isNotEqualTo("accept-default");
		}
	}

	// A listener with an optional PROXY header: a client that sends none waits for the
	// header's timeout, on a thread of its own, before it is greeted.
	private static Thread threadGreetingAConnectionThatMayWait() throws IOException, InterruptedException {
		try (RunningServer server = RunningServer.start("greeter.server.proxy-protocol=optional",
				"greeter.server.proxy-protocol-timeout=50ms")) {
			BlockingQueue<Thread> threads = greetingThreads(server);
			assertThat(server.fetch()).asString().isEqualTo("Hello World! This is Bhushan\r\n");
			Thread thread = threads.poll(RunningServer.CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			assertThat(thread).as("thread that published the open event").isNotNull();
			return thread;
		}
	}

	// The open event is published on the thread that greets, just before the greeting.
	private static BlockingQueue<Thread> greetingThreads(RunningServer server) {
		BlockingQueue<Thread> threads = new ArrayBlockingQueue<>(100);
		server.context()
			.addApplicationListener(
					(ApplicationListener<TcpConnectionOpenEvent>) (event) -> threads.offer(Thread.currentThread()));
		return threads;
	}

	// Thread.isVirtual() exists from Java 21; the code is compiled for 17.
	private static boolean isVirtual(Thread thread) {
		try {
			return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
		}
		catch (NoSuchMethodException ex) {
			return false;
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
