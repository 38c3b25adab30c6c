package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

    /** A "random" source that always picks the top of the range, to see the ceilings. */
    private static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    @Test
    void delay_ceilingDoublesUpToTheCap() {
        var backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), HIGHEST);

        assertThat(backoff.delay(0)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.delay(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.delay(1_000_000)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void delay_isJitteredBetweenZeroAndTheCeiling() {
        var backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), RandomGenerator.of("L64X128MixRandom"));

        for (int attempt = 0; attempt < 50; attempt++) {
            assertThat(backoff.delay(attempt)).isBetween(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    @Test
    void delay_withTheLargestRetryMax_saturatesInsteadOfOverflowing() {
        var huge = Duration.ofNanos(Long.MAX_VALUE);
        var backoff = new Backoff(Duration.ofSeconds(10), huge, HIGHEST);

        assertThat(backoff.delay(0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.delay(30)).isEqualTo(Duration.ofNanos(Long.MAX_VALUE - 1));
        assertThat(backoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofNanos(Long.MAX_VALUE - 1));
        assertThat(new Backoff(huge, huge, HIGHEST).delay(0)).isEqualTo(Duration.ofNanos(Long.MAX_VALUE - 1));
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
