package io.externalmetrics.provider.testing;

import io.externalmetrics.provider.MetricKey;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One metric as the provider's Describe lists it: which metric, how the adapter keeps it fresh
 * (polled every {@link #interval()}, or pushed through Watch events), and its max age.
 *
 * @param metric the metric
 * @param interval the polling interval; empty for a push metric
 * @param maxAge how old its value may become before the adapter stops serving it as fresh; empty for
 *     the adapter's default
 */
public record MetricDescription(MetricKey metric, Optional<Duration> interval, Optional<Duration> maxAge) {

    /**
     * Checks the arguments.
     *
     * @throws NullPointerException if an argument is null
     */
    public MetricDescription {
        Objects.requireNonNull(metric, "metric must not be null");
        Objects.requireNonNull(interval, "interval must not be null");
        Objects.requireNonNull(maxAge, "maxAge must not be null");
    }

    /**
     * A metric the adapter polls.
     *
     * @param metric the metric
     * @param interval the polling interval
     * @return the description, with the adapter's default max age ({@link #withMaxAge} sets one)
     */
    public static MetricDescription interval(MetricKey metric, Duration interval) {
        return new MetricDescription(metric, Optional.of(interval), Optional.empty());
    }

    /**
     * A metric the provider pushes: the adapter fetches it on each Watch event.
     *
     * @param metric the metric
     * @return the description, with the adapter's default max age ({@link #withMaxAge} sets one)
     */
    public static MetricDescription push(MetricKey metric) {
        return new MetricDescription(metric, Optional.empty(), Optional.empty());
    }

    /**
     * The same metric with a max age of its own.
     *
     * @param maxAge how old its value may become before the adapter stops serving it as fresh
     * @return the description
     */
    public MetricDescription withMaxAge(Duration maxAge) {
        return new MetricDescription(metric, interval, Optional.of(maxAge));
    }

    /**
     * Whether the provider pushes the metric rather than the adapter polling it.
     *
     * @return true for a push metric
     */
    public boolean push() {
        return interval.isEmpty();
    }
}
