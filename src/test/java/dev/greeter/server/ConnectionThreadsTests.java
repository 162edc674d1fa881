package dev.greeter.server;

import java.io.IOException;
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
 * Which threads serve connections: one per connection from the server's own executor,
 * virtual on Java 21+ (with the default {@code spring.threads.virtual.enabled=true}),
 * platform threads on Java 17; never Boot's bounded {@code applicationTaskExecutor},
 * whose threads are named {@code task-}.
 */
class ConnectionThreadsTests {

	@Test
	@EnabledForJreRange(max = JRE.JAVA_20)
	void connectionsRunOnTheServersOwnPlatformThreadsBeforeJava21() throws Exception {
		Thread thread = threadServingAConnection();
		assertThat(thread.getName()).startsWith("greeter-");
		assertThat(isVirtual(thread)).isFalse();
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void connectionsRunOnVirtualThreadsFromJava21() throws Exception {
		Thread thread = threadServingAConnection();
		assertThat(isVirtual(thread)).as("virtual thread: %s", thread).isTrue();
		assertThat(thread.getName()).startsWith("greeter-");
	}

	private static Thread threadServingAConnection() throws IOException, InterruptedException {
		try (RunningServer server = RunningServer.start()) {
			BlockingQueue<Thread> threads = new ArrayBlockingQueue<>(1);
			server.context()
				.addApplicationListener(
						(ApplicationListener<TcpConnectionOpenEvent>) (event) -> threads.offer(Thread.currentThread()));
			server.fetch();
			Thread thread = threads.poll(RunningServer.CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			assertThat(thread).as("thread that published the open event").isNotNull();
			return thread;
		}
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
