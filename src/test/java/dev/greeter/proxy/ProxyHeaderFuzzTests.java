package dev.greeter.proxy;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PROXY header parser under a coverage-guided fuzzer, fed as the reader feeds it:
 * every prefix of what arrived, as each read adds bytes. The only failure it may report
 * is {@link InvalidProxyHeaderException}; anything else (an index out of bounds, a number
 * format error) is a bug.
 */
class ProxyHeaderFuzzTests {

	@FuzzTest(maxDuration = "10s")
	void everyPrefixParsesOrIsRefusedWithItsOwnException(byte[] input) {
		byte[] received = new byte[ProxyHeaderParser.MAX_HEADER];
		int length = Math.min(input.length, received.length);
		System.arraycopy(input, 0, received, 0, length);
		for (int prefix = 0; prefix <= length; prefix++) {
			try {
				ProxyHeader header = ProxyHeaderParser.parse(received, prefix);
				if (header != null) {
					assertThat(header.version()).isBetween(1, 2);
					return; // the reader stops at the first whole header
				}
			}
			catch (InvalidProxyHeaderException ex) {
				assertThat(ex.reason()).isNotNull();
				assertThat(ex.getMessage()).isNotBlank();
				return; // the reader refuses the connection
			}
		}
	}

}
