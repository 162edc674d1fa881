package dev.greeter.server.tcp;

import java.net.ConnectException;
import java.net.ServerSocket;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.greeter.RunningServer;

import static dev.greeter.Meters.gauge;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What the accept loop does when its listening socket is lost: a process that cannot
 * greet must not look alive. (Running out of descriptors, which it survives, is proved in
 * {@code ResourceExhaustionIT}: it needs a process of its own with a lower limit.)
 */
@ExtendWith(OutputCaptureExtension.class)
class AcceptLoopTests {

	@Test
	void listenerLostForGoodMakesLivenessBroken(CapturedOutput output) throws Exception {
		try (RunningServer server = RunningServer.startWithActuator()) {
			assertThat(server.get("/health/liveness").statusCode()).isEqualTo(200);
			ServerSocket listening = server.context().getBean(GreetingServerConnectionFactory.class).getServerSocket();
			assertThat(listening).isNotNull();
			// The descriptor is gone from under the loop: no accept can ever succeed
			// again.
			listening.close();
			await("liveness to go down").atMost(RunningServer.CLIENT_TIMEOUT)
				.until(() -> server.get("/health/liveness").statusCode() == 503);
			assertThat(server.get("/health/liveness").body()).contains("\"status\":\"DOWN\"");
			assertThat(server.get("/health/readiness").statusCode()).isEqualTo(503);
			assertThat(gauge(server.context().getBean(MeterRegistry.class), "greeter.server.listening")).isZero();
			assertThatExceptionOfType(ConnectException.class).isThrownBy(server::connect);
			assertThat(output.getAll()).containsOnlyOnce("Greeting server stopped listening on port")
				.contains("liveness is BROKEN so that the process is restarted");
		}
	}

}
