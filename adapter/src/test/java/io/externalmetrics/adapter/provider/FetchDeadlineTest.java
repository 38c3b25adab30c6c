package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.TriggerSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FetchDeadlineTest {

    private static final Duration PROVIDERS = Duration.ofSeconds(2);

    private static Duration deadline(Duration interval, Duration providers) {
        return ProviderRuntime.fetchDeadline(new TriggerSpec.Interval(interval), providers);
    }

    @Test
    void fetchDeadline_isHalfTheInterval_cappedByTheProvidersDeadline() {
        assertThat(deadline(Duration.ofSeconds(1), PROVIDERS)).isEqualTo(Duration.ofMillis(500));
        assertThat(deadline(Duration.ofMinutes(1), PROVIDERS)).isEqualTo(PROVIDERS);
        assertThat(ProviderRuntime.fetchDeadline(new TriggerSpec.Push(), PROVIDERS)).isEqualTo(PROVIDERS);
    }

    @Test
    void fetchDeadline_ofTheShortestIntervals_isTenMilliseconds_unlessTheProvidersIsShorter() {
        assertThat(deadline(Duration.ofMillis(10), PROVIDERS)).isEqualTo(Duration.ofMillis(10));
        assertThat(deadline(Duration.ofMillis(12), PROVIDERS)).isEqualTo(Duration.ofMillis(10));
        assertThat(deadline(Duration.ofMillis(10), Duration.ofMillis(5))).isEqualTo(Duration.ofMillis(5));
    }
}
