package io.externalmetrics.adapter.config;

import io.externalmetrics.adapter.k8s.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Retry timing for failed fetches, Describe calls and Watch streams: exponential backoff with
 * full jitter, starting at {@code initial} and capped at {@code max}; retries never stop.
 *
 * @param initial the ceiling of the first wait
 * @param max     the ceiling of every later wait
 */
public record RetryConfig(Duration initial, Duration max) {

    /** Longest initial or max wait: far beyond real use, small enough that backoff arithmetic cannot overflow. */
    public static final Duration LIMIT = Duration.ofHours(1); // before DEFAULTS, whose construction reads it
    /** 500 ms, doubling, capped at 30 s. */
    public static final RetryConfig DEFAULTS = new RetryConfig(Duration.ofMillis(500), Duration.ofSeconds(30));

    public RetryConfig {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        Optional<String> problem = problem(initial, max);
        if (problem.isPresent()) {
            throw new ConfigException(problem.get());
        }
    }

    /**
     * What is wrong with these retry settings, or nothing; it names the field ({@code retry.initial}
     * or {@code retry.max}).
     */
    static Optional<String> problem(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero()) {
            return Optional.of("retry.initial must be positive, got " + Durations.format(initial));
        }
        if (max.compareTo(initial) < 0) {
            return Optional.of("retry.max (" + Durations.format(max) + ") must not be below retry.initial ("
                    + Durations.format(initial) + ")");
        }
        if (max.compareTo(LIMIT) > 0) {
            return Optional.of("retry.max (" + Durations.format(max) + ") must be at most " + Durations.format(LIMIT));
        }
        return Optional.empty();
    }
}
