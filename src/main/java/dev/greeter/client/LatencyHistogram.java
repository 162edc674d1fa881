package dev.greeter.client;

/**
 * Latencies as counts in log-linear buckets, as HdrHistogram keeps them: exact below 64
 * µs, then 32 buckets per power of two, so a percentile is within about 3% of the true
 * value, from 1 µs to hours, in a fixed 10 KB however many connections are recorded.
 * Nothing is kept per connection.
 *
 * @author tcp-greeter team
 */
final class LatencyHistogram {

	private static final int EXACT = 64;

	private static final int SUB_BUCKETS = 32;

	// Powers of two from 2^6 µs up to 2^40 µs (12 days); larger values go in the last.
	private static final int LAST_POWER = 40;

	private final long[] counts = new long[EXACT + (LAST_POWER - 5) * SUB_BUCKETS];

	private long total;

	private long max;

	/**
	 * Record one latency.
	 * @param nanos the latency in nanoseconds
	 */
	void record(long nanos) {
		long micros = Math.max(0, nanos / 1000);
		this.counts[Math.min(this.counts.length - 1, index(micros))]++;
		this.total++;
		this.max = Math.max(this.max, nanos);
	}

	long count() {
		return this.total;
	}

	long maxNanos() {
		return this.max;
	}

	/**
	 * The latency below which the given share of recorded ones fall.
	 * @param percentile for example 99.0
	 * @return nanoseconds (the bucket's upper edge, never above the maximum), or 0 when
	 * nothing was recorded
	 */
	long percentileNanos(double percentile) {
		if (this.total == 0) {
			return 0;
		}
		long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * this.total));
		long seen = 0;
		for (int i = 0; i < this.counts.length; i++) {
			seen += this.counts[i];
			if (seen >= rank) {
				return Math.min(this.max, upperEdgeMicros(i) * 1000);
			}
		}
		return this.max;
	}

	static int index(long micros) {
		if (micros < EXACT) {
			return (int) micros;
		}
		int power = 63 - Long.numberOfLeadingZeros(micros); // 6 or more
		int sub = (int) (micros >>> (power - 5)) - SUB_BUCKETS;
		return EXACT + (power - 6) * SUB_BUCKETS + sub;
	}

	static long upperEdgeMicros(int index) {
		if (index < EXACT) {
			return index;
		}
		int power = (index - EXACT) / SUB_BUCKETS + 6;
		int sub = (index - EXACT) % SUB_BUCKETS;
		return ((long) (SUB_BUCKETS + sub + 1) << (power - 5)) - 1;
	}

}
