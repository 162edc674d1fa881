package dev.greeter.client;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The watch mode's latency histogram: its percentiles against the exact ones of the same
 * samples, its maximum, and its buckets' edges.
 */
class LatencyHistogramTests {

	@Test
	void percentilesAreWithinThreePercentOfTheExactOnes() {
		Random random = new Random(42);
		long[] samples = new long[100_000];
		LatencyHistogram histogram = new LatencyHistogram();
		for (int i = 0; i < samples.length; i++) {
			// Log-normal around 300 µs, with a tail into seconds.
			samples[i] = (long) (Math.exp(random.nextGaussian() * 1.5) * 300_000);
			histogram.record(samples[i]);
		}
		Arrays.sort(samples);
		for (double percentile : new double[] { 50, 90, 99, 99.9 }) {
			long exact = samples[(int) Math.ceil(percentile / 100 * samples.length) - 1];
			assertThat((double) histogram.percentileNanos(percentile)).as("p%s", percentile)
				.isCloseTo(exact, within(exact * 0.035 + 1000));
		}
		assertThat(histogram.maxNanos()).isEqualTo(samples[samples.length - 1]);
		assertThat(histogram.count()).isEqualTo(samples.length);
	}

	@Test
	void emptyHistogramSaysZero() {
		assertThat(new LatencyHistogram().percentileNanos(99)).isZero();
	}

	@Test
	void everyValueFallsInABucketWhoseEdgesHoldIt() {
		for (long micros = 0; micros < 5_000_000; micros += 1 + micros / 7) {
			int index = LatencyHistogram.index(micros);
			assertThat(LatencyHistogram.upperEdgeMicros(index)).as("%d µs", micros).isGreaterThanOrEqualTo(micros);
			if (index > 0) {
				assertThat(LatencyHistogram.upperEdgeMicros(index - 1)).as("%d µs", micros).isLessThan(micros);
			}
		}
	}

}
