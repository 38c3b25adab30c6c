package io.externalmetrics.adapter.provider;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: attempt n waits a random time in [0, min(max, initial * 2^n)],
 * so many adapters retrying one provider spread out instead of arriving together.
 */
record Backoff(Duration initial, Duration max, RandomGenerator random) {

    static Backoff standard() {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), RandomGenerator.getDefault());
    }

    /** The wait before retry number {@code attempt} (0 for the first retry). */
    Duration delay(int attempt) {
        long ceiling = initial.toMillis() << Math.min(attempt, 20);
        ceiling = Math.min(Math.max(ceiling, 1), max.toMillis());
        return Duration.ofMillis(random.nextLong(ceiling + 1));
    }
}
