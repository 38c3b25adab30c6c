package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delay_ceilingDoublesUpToTheCap() {
        var backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), Jitter.HIGHEST);

        assertThat(backoff.delay(0)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.delay(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.delay(1_000_000)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void delay_isJitteredBetweenZeroAndTheCeiling() {
        var backoff = new Backoff(
                Duration.ofMillis(100), Duration.ofSeconds(1), RandomGenerator.of("L64X128MixRandom"));

        for (int attempt = 0; attempt < 50; attempt++) {
            assertThat(backoff.delay(attempt)).isBetween(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    @Test
    void delay_forOneAttempt_spreadsOverTheWholeRange() {
        // seeded, so the test is repeatable; attempt 3's ceiling is 100ms * 2^3 = 800ms, below the cap
        var backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), new SplittableRandom(7));
        Duration ceiling = Duration.ofMillis(800);
        Duration half = ceiling.dividedBy(2);

        List<Duration> delays = IntStream.range(0, 1000).mapToObj(i -> backoff.delay(3)).toList();

        assertThat(delays).allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, ceiling));
        assertThat(Set.copyOf(delays)).as("distinct delays (full jitter, not a fixed wait)").hasSizeGreaterThan(900);
        assertThat(delays).filteredOn(d -> d.compareTo(half) < 0).as("delays in the lower half")
                .hasSizeBetween(400, 600);
        assertThat(delays).filteredOn(d -> d.compareTo(ceiling.dividedBy(10)) < 0).as("delays near zero")
                .isNotEmpty();
        assertThat(delays).filteredOn(d -> d.compareTo(ceiling.minus(ceiling.dividedBy(10))) > 0)
                .as("delays near the ceiling").isNotEmpty();
    }

    @Test
    void delay_withTheLargestRetryMax_saturatesInsteadOfOverflowing() {
        var huge = Duration.ofNanos(Long.MAX_VALUE);
        var backoff = new Backoff(Duration.ofSeconds(10), huge, Jitter.HIGHEST);

        assertThat(backoff.delay(0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.delay(30)).isEqualTo(Duration.ofNanos(Long.MAX_VALUE - 1));
        assertThat(backoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofNanos(Long.MAX_VALUE - 1));
        assertThat(new Backoff(huge, huge, Jitter.HIGHEST).delay(0)).isEqualTo(Duration.ofNanos(Long.MAX_VALUE - 1));
    }

    @Test
    void delay_beyondWhatNanosecondsHold_isStillAWait() {
        var centuries = Duration.ofDays(365L * 1000);
        var backoff = new Backoff(centuries, centuries, RandomGenerator.of("L64X128MixRandom"));

        for (int attempt = 0; attempt < 70; attempt++) {
            assertThat(backoff.delay(attempt)).isBetween(Duration.ZERO, Duration.ofNanos(Long.MAX_VALUE));
        }
    }
}
