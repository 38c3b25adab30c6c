package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.LabelSelector;
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
     */
    ReadResult read(String namespace, String metric, Optional<LabelSelector> selector);

    /** What {@link #read} would answer now, without following a new tuple or counting as a read. */
    ReadResult peek(String namespace, String metric, Optional<LabelSelector> selector);
}
