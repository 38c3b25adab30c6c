package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.config.RetryConfig;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: attempt n waits a random time in [0, min(max, initial * 2^n)],
 * so many adapters retrying one provider spread out instead of arriving together.
 *
 * <p>The arithmetic saturates instead of overflowing: a retry max of centuries means "wait about
 * that long", never a negative bound that would stop the retries.
 */
record Backoff(Duration initial, Duration max, RandomGenerator random) {

    static Backoff of(RetryConfig retry) {
        return new Backoff(retry.initial(), retry.max(), RandomGenerator.getDefault());
    }

    /** The wait before retry number {@code attempt} (0 for the first retry). */
    Duration delay(int attempt) {
        long cap = nanos(max);
        long ceiling = Math.min(doubled(nanos(initial), Math.max(attempt, 0)), cap);
        // nextLong's bound is exclusive; keep ceiling + 1 from overflowing (one nanosecond of ~292 years)
        ceiling = Math.clamp(ceiling, 0, Long.MAX_VALUE - 1);
        return Duration.ofNanos(random.nextLong(ceiling + 1));
    }

    /** {@code nanos * 2^times}, or {@link Long#MAX_VALUE} when that does not fit in a long. */
    private static long doubled(long nanos, int times) {
        if (nanos <= 0) {
            return 0;
        }
        int headroom = Long.numberOfLeadingZeros(nanos) - 1; // doublings before the sign bit
        return times > headroom ? Long.MAX_VALUE : nanos << times;
    }

    /** A duration in nanoseconds, saturating at the ends of a long (about 292 years). */
    static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
