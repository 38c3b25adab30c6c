package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.LabelSelector;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A provider answering reads of some metric names by asking another external-metrics server, per
 * (namespace, metric, selector). The cache consults forwarders for names no registered metric has:
 * a native metric wins over a forwarded glob.
 */
public interface Forwarder {

    /** The provider's name. */
    String provider();

    /** Whether reads of {@code metric} are forwarded by this provider. */
    boolean forwards(String metric);

    /**
     * Answers a read. The first read of a tuple fetches it, waiting at most the provider's deadline;
     * later reads answer from memory while the tuple is refreshed in the background.
     *
     * @param events told how the read was answered when the tuple had no fresh value, as for a metric
     */
    ReadResult read(String namespace, String metric, Optional<LabelSelector> selector, ReadEvents events);

    /** What {@link #read} would answer now, without following a new tuple or counting as a read. */
    ReadResult peek(String namespace, String metric, Optional<LabelSelector> selector);

    /**
     * The metric names followed now, one per namespace whatever their selectors, for the adapter's own
     * metrics: their labels are those of a metric of the provider's.
     */
    List<Followed> followed(Instant now);

    /**
     * One metric name followed in one namespace.
     *
     * @param info      the name in its namespace, with the provider's interval, max age and on-error policy
     * @param oldestAge the age of the oldest value among its tuples; empty while none has one
     */
    record Followed(MetricInfo info, Optional<Duration> oldestAge) {
        public Followed {
            Objects.requireNonNull(info, "info");
            Objects.requireNonNull(oldestAge, "oldestAge");
        }
    }
}
