package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.config.RetryConfig;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: attempt n waits a random time in [0, min(max, initial * 2^n)],
 * so many adapters retrying one provider spread out instead of arriving together.
 */
record Backoff(Duration initial, Duration max, RandomGenerator random) {

    static Backoff of(RetryConfig retry) {
        return new Backoff(retry.initial(), retry.max(), RandomGenerator.getDefault());
    }

    /** The wait before retry number {@code attempt} (0 for the first retry). */
    Duration delay(int attempt) {
        long ceiling = initial.toNanos() << Math.min(Math.max(attempt, 0), 30);
        if (ceiling <= 0 || ceiling > max.toNanos()) {
            ceiling = max.toNanos();
        }
        return Duration.ofNanos(random.nextLong(ceiling + 1));
    }
}
