package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** How a metric is refreshed: on an interval, or when its provider pushes a change. */
public sealed interface TriggerSpec {

    /** Interval used when neither configuration nor Describe gives one (the HPA's sync period). */
    Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);

    /**
     * The longest interval, max age or last-known-good bound, from the configuration or from
     * Describe: far beyond any real use, and small enough that arithmetic on derived periods (three
     * intervals, nanosecond timers) cannot overflow.
     */
    Duration MAX_PERIOD = Duration.ofDays(365);

    /**
     * The shortest interval, from the configuration or from Describe, and the shortest tick and Fetch
     * deadline: a call cannot even reach a provider in less, so a shorter one would only ever time out.
     */
    Duration MIN_PERIOD = Duration.ofMillis(10);

    /** Max age of a push metric when neither configuration nor Describe gives one. */
    Duration DEFAULT_PUSH_MAX_AGE = Duration.ofMinutes(1);

    /**
     * A metric's max age when neither configuration nor Describe gives one: three intervals, so one
     * or two failed fetches in a row are ridden out; push metrics {@link #DEFAULT_PUSH_MAX_AGE} (they
     * are re-fetched every third of it besides their events).
     */
    Duration defaultMaxAge();

    /** Fetched every {@code period}. */
    record Interval(Duration period) implements TriggerSpec {
        public Interval {
            Objects.requireNonNull(period, "period");
            Optional<String> problem = intervalProblem(period);
            if (problem.isPresent()) {
                throw new IllegalArgumentException("interval " + problem.get());
            }
        }

        @Override
        public Duration defaultMaxAge() {
            return period.multipliedBy(3);
        }

        @Override
        public String toString() {
            return "every " + Durations.format(period);
        }
    }

    /** What is wrong with an interval, or nothing: it must be from {@link #MIN_PERIOD} to {@link #MAX_PERIOD}. */
    static Optional<String> intervalProblem(Duration period) {
        if (period.compareTo(MIN_PERIOD) < 0) {
            return Optional.of("must be at least " + Durations.format(MIN_PERIOD) + ", got "
                    + Durations.format(period));
        }
        if (period.compareTo(MAX_PERIOD) > 0) {
            return Optional.of("must be at most " + MAX_PERIOD.toDays() + " days, got " + Durations.format(period));
        }
        return Optional.empty();
    }

    /** Fetched on each Watch event, and once on every (re)connect. */
    record Push() implements TriggerSpec {
        @Override
        public Duration defaultMaxAge() {
            return DEFAULT_PUSH_MAX_AGE;
        }

        @Override
        public String toString() {
            return "push";
        }
    }
}
