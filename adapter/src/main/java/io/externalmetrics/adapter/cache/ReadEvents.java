package io.externalmetrics.adapter.cache;

/**
 * What reads of the cache tell, for the adapter's own metrics: passed in like the clock, so the cache
 * does not depend on a metrics library. Called on the read path only when a metric has no fresh value;
 * implementations must be quick, thread-safe and never block.
 */
public interface ReadEvents {

    /** Hears nothing. */
    ReadEvents NONE = (metric, answer) -> {
    };

    /** How a read was answered when the metric had no fresh value, by its on-error policy. */
    enum PolicyAnswer {
        /** A 503 naming the failure: the {@code error} policy, or a last-known-good value too old. */
        ERROR("error"),
        /** The last good value, still within the last-known-good bound. */
        LAST_KNOWN_GOOD("lastKnownGood"),
        /** The configured fixed value. */
        STATIC("static");

        private final String label;

        PolicyAnswer(String label) {
            this.label = label;
        }

        /** The name used in configuration, and as a metric label value. */
        public String label() {
            return label;
        }
    }

    /** A read of {@code metric}, which had no fresh value, was answered with {@code answer}. */
    void answeredByPolicy(MetricInfo metric, PolicyAnswer answer);
}
