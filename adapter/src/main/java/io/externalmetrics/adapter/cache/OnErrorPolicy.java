package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.Durations;
import java.time.Duration;
import java.util.Objects;

/** What a read answers when a metric has no fresh value (never a silent zero). */
public sealed interface OnErrorPolicy {

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
