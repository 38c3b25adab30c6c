package io.externalmetrics.adapter.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.auth.ReviewUnavailableException;
import io.externalmetrics.adapter.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReviewCacheTest {

    private final FakeClock clock = new FakeClock();
    private final List<String> reviewed = new ArrayList<>();

    /** Values starting with "short" live 1s, others 1 min. */
    private ReviewCache<String, String> cache(int maxEntries) {
        return new ReviewCache<>(maxEntries,
                value -> value.startsWith("short") ? Duration.ofSeconds(1) : Duration.ofMinutes(1), clock.ticker());
    }

    private String review(String key) {
        reviewed.add(key);
        return key;
    }

    @Test
    void get_full_dropsExpiredEntriesBeforeTheOldest() {
        var cache = cache(3);
        cache.get("old", this::review);
        cache.get("short-lived", this::review);
        cache.get("middle", this::review);
        clock.forward(Duration.ofSeconds(2));

        cache.get("new", this::review);

        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.contains("old")).isTrue();
        assertThat(cache.contains("short-lived")).isFalse();
    }

    @Test
    void get_fullWithNothingExpired_dropsTheOldest() {
        var cache = cache(2);
        cache.get("a", this::review);
        cache.get("b", this::review);
        cache.get("c", this::review);

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.contains("a")).isFalse();
        cache.get("b", this::review);
        cache.get("c", this::review);
        assertThat(reviewed).containsExactly("a", "b", "c");
    }

    @Test
    void get_failedReview_isNotKept() {
        var cache = cache(2);

        assertThatThrownBy(() -> cache.get("a", key -> {
            throw new ReviewUnavailableException("down");
        })).isInstanceOf(ReviewUnavailableException.class).hasMessage("down");

        assertThat(cache.size()).isZero();
        assertThat(cache.get("a", this::review)).isEqualTo("a");
    }

    @Test
    void constructor_noRoom_failsNamingMaxEntries() {
        assertThatThrownBy(() -> cache(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxEntries must be at least 1, got 0");
    }
}
