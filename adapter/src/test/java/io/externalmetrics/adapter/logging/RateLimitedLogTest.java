package io.externalmetrics.adapter.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.testing.LogRecords;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

    private static final String LOGGER = RateLimitedLogTest.class.getName();

    private final AtomicLong ticker = new AtomicLong();
    private final RateLimitedLog log = new RateLimitedLog(System.getLogger(LOGGER), Duration.ofSeconds(30),
            ticker::get);

    private void forward(Duration duration) {
        ticker.addAndGet(duration.toNanos());
    }

    @Test
    void aRecurringProblem_isLoggedOncePerInterval_withHowOftenItRecurred_andANewOneAtOnce() {
        try (LogRecords logs = LogRecords.of(LOGGER)) {
            for (int i = 0; i < 100; i++) {
                log.log(Level.WARNING, "SubjectAccessReview failed: the kube-apiserver answered HTTP 500");
            }
            log.log(Level.WARNING, "TokenReview failed: cannot connect");
            forward(Duration.ofSeconds(30));
            log.log(Level.WARNING, "TokenReview failed: cannot connect");
            log.log(Level.WARNING, "TokenReview failed: cannot connect");
            log.log(Level.WARNING, "SubjectAccessReview failed: the kube-apiserver answered HTTP 500");

            assertThat(logs.atLeast(java.util.logging.Level.WARNING)).containsExactly(
                    "SubjectAccessReview failed: the kube-apiserver answered HTTP 500",
                    "TokenReview failed: cannot connect",
                    "TokenReview failed: cannot connect",
                    "SubjectAccessReview failed: the kube-apiserver answered HTTP 500 "
                            + "(again 99 times since it was last logged)");
        }
    }

    @Test
    void twoAlternatingProblems_areEachLimitedOnTheirOwn() {
        try (LogRecords logs = LogRecords.of(LOGGER)) {
            for (int i = 0; i < 50; i++) {
                log.log(Level.WARNING, "a");
                log.log(Level.WARNING, "b");
                forward(Duration.ofSeconds(1));
            }

            assertThat(logs.atLeast(java.util.logging.Level.WARNING)).containsExactly(
                    "a", "b", "a (again 29 times since it was last logged)",
                    "b (again 29 times since it was last logged)");
        }
    }

    @Test
    void aKey_limitsLinesWhoseTextDiffers_andKeepsTheLevelAndException() {
        try (LogRecords logs = LogRecords.of(LOGGER)) {
            for (int i = 0; i < 10; i++) {
                log.log(Level.ERROR, "request failed", "request /apis/x/" + i + " failed",
                        new IllegalStateException("bug"));
            }
            forward(Duration.ofSeconds(30));
            log.log(Level.ERROR, "request failed", "request /apis/x/last failed", new IllegalStateException("bug"));

            assertThat(logs.atLeast(java.util.logging.Level.SEVERE)).containsExactly(
                    "request /apis/x/0 failed [java.lang.IllegalStateException: bug]",
                    "request /apis/x/last failed (again 9 times since it was last logged) "
                            + "[java.lang.IllegalStateException: bug]");
        }
    }

    @Test
    void manyDistinctKeys_stayBounded_andEachIsLoggedOnceWhileRemembered() {
        try (LogRecords logs = LogRecords.of(LOGGER)) {
            for (int i = 0; i < RateLimitedLog.MAX_KEYS * 4; i++) {
                log.log(Level.WARNING, "problem " + i);
            }
            log.log(Level.WARNING, "problem " + (RateLimitedLog.MAX_KEYS * 4 - 1)); // still remembered

            assertThat(logs.atLeast(java.util.logging.Level.WARNING)).hasSize(RateLimitedLog.MAX_KEYS * 4);
        }
    }

    @Test
    void aZeroInterval_isRejected() {
        assertThatThrownBy(() -> new RateLimitedLog(System.getLogger(LOGGER), Duration.ZERO, ticker::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("interval must be positive");
    }
}
