package dev.greeter.server.udp;

import dev.greeter.server.DatagramDrop;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * Keeps a UDP listener from being an amplifier: a datagram's source address can be
 * forged, and every reply goes to it, so replies are rate-limited per source address and
 * in total, by token buckets that allow a second's worth as a burst. A source that has
 * been quiet for a second has a full bucket again, so its bucket is forgotten: the map
 * holds at most {@code udp.max-sources} sources; beyond that, new sources are limited by
 * the total alone until old ones are forgotten.
 *
 * @author tcp-greeter team
 */
final class ReplyLimiter {

	private static final long SECOND = 1_000_000_000L;

	private final TokenBucket total;

	private final int perSource;

	private final int maxSources;

	private final Map<InetAddress, TokenBucket> sources = new ConcurrentHashMap<>();

	ReplyLimiter(int perSecond, int perSourcePerSecond, int maxSources) {
		this.total = new TokenBucket(perSecond, System.nanoTime());
		this.perSource = perSourcePerSecond;
		this.maxSources = maxSources;
	}

	/**
	 * Whether a reply to this source may go out now; takes its tokens if so.
	 * @param source the datagram's source address
	 * @param now the time, in {@link System#nanoTime()} terms
	 * @return {@code null} to reply, or why not
	 */
	@Nullable DatagramDrop take(InetAddress source, long now) {
		TokenBucket bucket = this.sources.get(source);
		if (bucket == null && this.sources.size() < this.maxSources) {
			bucket = this.sources.computeIfAbsent(source, (address) -> new TokenBucket(this.perSource, now));
		}
		if (bucket != null && !bucket.take(now)) {
			return DatagramDrop.SOURCE_RATE;
		}
		if (!this.total.take(now)) {
			return DatagramDrop.TOTAL_RATE;
		}
		return null;
	}

	/**
	 * Forget the sources whose buckets have refilled: they would start full anyway.
	 * @param now the time, in {@link System#nanoTime()} terms
	 */
	void forgetIdle(long now) {
		this.sources.values().removeIf((bucket) -> bucket.full(now));
	}

	/**
	 * A bucket of {@code rate} tokens, refilled at {@code rate} per second.
	 */
	private static final class TokenBucket {

		private final int rate;

		private double tokens;

		private long updated;

		TokenBucket(int rate, long now) {
			this.rate = rate;
			this.tokens = rate;
			this.updated = now;
		}

		synchronized boolean take(long now) {
			refill(now);
			if (this.tokens < 1) {
				return false;
			}
			this.tokens -= 1;
			return true;
		}

		synchronized boolean full(long now) {
			refill(now);
			return this.tokens >= this.rate;
		}

		private void refill(long now) {
			long elapsed = now - this.updated;
			if (elapsed > 0) {
				this.tokens = Math.min(this.rate, this.tokens + (double) elapsed * this.rate / SECOND);
				this.updated = now;
			}
		}

	}

}
