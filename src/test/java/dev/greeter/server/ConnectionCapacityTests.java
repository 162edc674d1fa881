package dev.greeter.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The connection limit fitted to the heap on a TLS listener, with the limits passed in.
 * The descriptor fit runs against a real lowered ulimit in ResourceExhaustionIT.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConnectionCapacityTests {

	private static final long MIB = 1024 * 1024;

	private static final long NONE = Long.MAX_VALUE;

	@Test
	void onTheImagesHeapATlsListenersDefaultIsCappedToHalfTheHeapWithOneWarning(CapturedOutput output) {
		int fitted = ConnectionCapacity.fit("greeter.server.max-connections", 2048, 1, false, false, true,
				new ConnectionCapacity.Limits(NONE, 0, NONE, 0, 64 * MIB));
		assertThat(fitted).isEqualTo(819); // 32 MiB at 40 KiB a connection
		assertThat(output)
			.contains("greeter.server.max-connections=2048 does not fit: a TLS connection can hold "
					+ "about 40 KiB of heap while its handshake is slow, and half of this JVM's heap (32 MiB of 64) "
					+ "fits 819; give the JVM more heap")
			.contains("serving at most 819 connections at once");
	}

	@Test
	void twoTlsListenersShareTheHeap() {
		assertThat(ConnectionCapacity.fit("greeter.listeners.a.max-connections", 2048, 2, false, false, true,
				new ConnectionCapacity.Limits(NONE, 0, NONE, 0, 64 * MIB)))
			.isEqualTo(409);
	}

	@Test
	void anExplicitLimitAboveWhatTheHeapHoldsStopsStartUpNamingIt() {
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> ConnectionCapacity.fit("greeter.server.max-connections", 1000, 1, true, false, true,
					new ConnectionCapacity.Limits(NONE, 0, NONE, 0, 64 * MIB)))
			.withMessageContaining("greeter.server.max-connections")
			.withMessageContaining("more connections than fit: a TLS connection can hold about 40 KiB of heap");
	}

	@Test
	void aPlainListenerAndALargeHeapAreNotCapped() {
		ConnectionCapacity.Limits small = new ConnectionCapacity.Limits(NONE, 0, NONE, 0, 64 * MIB);
		assertThat(ConnectionCapacity.fit("greeter.server.max-connections", 2048, 1, false, false, false, small))
			.isEqualTo(2048);
		ConnectionCapacity.Limits large = new ConnectionCapacity.Limits(NONE, 0, NONE, 0, 256 * MIB);
		assertThat(ConnectionCapacity.fit("greeter.server.max-connections", 2048, 1, false, false, true, large))
			.isEqualTo(2048);
	}

}
