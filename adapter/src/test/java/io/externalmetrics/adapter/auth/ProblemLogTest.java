package io.externalmetrics.adapter.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.testing.LogRecords;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class ProblemLogTest {

    private static final String LOGGER = ProblemLogTest.class.getName();

    @Test
    void aRecurringProblem_isLoggedOncePerInterval_withHowOftenItRecurred_andANewOneAtOnce() {
        var ticker = new AtomicLong();
        var problems = new ProblemLog(System.getLogger(LOGGER), Duration.ofSeconds(30), ticker::get);
        try (LogRecords logs = LogRecords.of(LOGGER)) {
            for (int i = 0; i < 100; i++) {
                problems.warn("SubjectAccessReview failed: the kube-apiserver answered HTTP 500");
            }
            problems.warn("TokenReview failed: cannot connect");
            ticker.addAndGet(Duration.ofSeconds(30).toNanos());
            problems.warn("TokenReview failed: cannot connect");
            problems.warn("TokenReview failed: cannot connect");

            assertThat(logs.atLeast(Level.WARNING)).containsExactly(
                    "SubjectAccessReview failed: the kube-apiserver answered HTTP 500",
                    "TokenReview failed: cannot connect",
                    "TokenReview failed: cannot connect");
        }
    }

    @Test
    void theRepeatCount_isReportedWithTheNextLine() {
        var ticker = new AtomicLong();
        var problems = new ProblemLog(System.getLogger(LOGGER), Duration.ofSeconds(30), ticker::get);
        try (LogRecords logs = LogRecords.of(LOGGER)) {
            problems.warn("down");
            problems.warn("down");
            problems.warn("down");
            ticker.addAndGet(Duration.ofSeconds(31).toNanos());
            problems.warn("down");

            assertThat(logs.atLeast(Level.WARNING))
                    .containsExactly("down", "down (again 2 times since it was last logged)");
        }
    }
}
