package io.externalmetrics.adapter.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * One metric provider: a gRPC server serving {@code externalmetrics.v1.MetricProvider}.
 *
 * @param name     unique; appears in Status messages, logs and the debug inventory
 * @param target   the gRPC target, e.g. {@code 127.0.0.1:50051} or {@code dns:///provider:50051}
 * @param deadline the deadline of each Fetch (at most half the interval is used)
 * @param metrics  metrics used when the provider does not implement Describe; also the policies
 *                 (on-error, max age) of described metrics with the same namespace and name
 */
public record ProviderConfig(String name, String target, Duration deadline, List<MetricConfig> metrics) {

    /** Deadline of a Fetch when none is configured. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(2);

    public ProviderConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(deadline, "deadline");
        metrics = List.copyOf(metrics);
        var keys = new HashSet<String>();
        for (MetricConfig metric : metrics) {
            if (!keys.add(metric.namespace() + "/" + metric.name())) {
                throw new ConfigException("provider \"" + name + "\": metric \"" + metric.name()
                        + "\" in namespace \"" + metric.namespace() + "\" is listed twice");
            }
        }
    }
}
