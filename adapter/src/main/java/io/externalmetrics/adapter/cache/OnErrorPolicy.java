package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** What a read answers when a metric has no fresh value (never a silent zero). */
public sealed interface OnErrorPolicy {

    /**
     * What a read of {@code metric}, which has no fresh value, gets by the metric's policy, telling
     * {@code events} which answer it gave: the one rule for the cache's metrics and forwarded tuples alike.
     *
     * @param valueWithin whether there is a last good value no older than a bound (lastKnownGood's)
     * @param lastValue   that value's body, asked only when it is served
     * @param whyNotFresh the 503's message, asked only when the answer is one
     */
    static ReadResult answerStale(MetricInfo metric, Instant now, Predicate<Duration> valueWithin,
                                  Supplier<byte[]> lastValue, Supplier<String> whyNotFresh, ReadEvents events) {
        return switch (metric.onError()) {
            case Error e -> {
                events.answeredByPolicy(metric, ReadEvents.PolicyAnswer.ERROR);
                yield new ReadResult.Unavailable(whyNotFresh.get());
            }
            case LastKnownGood lkg -> {
                if (!valueWithin.test(lkg.bound())) {
                    events.answeredByPolicy(metric, ReadEvents.PolicyAnswer.ERROR);
                    yield new ReadResult.Unavailable(whyNotFresh.get());
                }
                events.answeredByPolicy(metric, ReadEvents.PolicyAnswer.LAST_KNOWN_GOOD);
                yield new ReadResult.Found(lastValue.get());
            }
            case Static fixed -> {
                events.answeredByPolicy(metric, ReadEvents.PolicyAnswer.STATIC);
                yield new ReadResult.Found(ExternalMetricJson.list(List.of(ExternalMetricJson.item(
                        metric.key().name(), Map.of(), now, Optional.empty(), fixed.value()))));
            }
        };
    }

    /** The default: 503 naming the provider, the failure and since when; the HPA holds its replicas. */
    record Error() implements OnErrorPolicy {
        @Override
        public String toString() {
            return "error";
        }
    }

    /**
     * Keep serving the last good value until it is {@code bound} old, then fail as {@link Error}.
     *
     * @param bound how old the last good value may be (longer than the max age)
     */
    record LastKnownGood(Duration bound) implements OnErrorPolicy {
        /** Default bound: five minutes. */
        public static final Duration DEFAULT_BOUND = Duration.ofMinutes(5);

        public LastKnownGood {
            Objects.requireNonNull(bound, "bound");
        }

        /**
         * Whether the last value is ever served under this policy for a metric with {@code maxAge}: only
         * when the bound is longer, since a value is stale once older than its max age.
         */
        public boolean outlasts(Duration maxAge) {
            return bound.compareTo(maxAge) > 0;
        }

        @Override
        public String toString() {
            return "lastKnownGood (up to " + Durations.format(bound) + ")";
        }
    }

    /**
     * Serve a fixed value, as one item without labels.
     *
     * @param value the value as a canonical Kubernetes quantity
     */
    record Static(String value) implements OnErrorPolicy {
        public Static {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "static (" + value + ")";
        }
    }

    /** The default policy. */
    static OnErrorPolicy error() {
        return new Error();
    }
}
