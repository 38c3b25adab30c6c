package io.externalmetrics.adapter.config;

import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.TriggerSpec;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One metric as configured for a provider.
 *
 * @param namespace the namespace, or {@code *} for all
 * @param name      the metric name
 * @param trigger   how the metric is refreshed
 * @param maxAge    how old a value may become and still be served as fresh; empty = the default
 * @param onError   what a read gets when there is no fresh value
 * @param scaler    for a KEDA external scaler's metric, what is sent to the scaler; otherwise empty
 */
public record MetricConfig(String namespace, String name, TriggerSpec trigger, Optional<Duration> maxAge,
                           OnErrorPolicy onError, Optional<ScalerMetric> scaler) {

    public MetricConfig {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(onError, "onError");
        Objects.requireNonNull(scaler, "scaler");
        Optional<String> problem = MetricKey.namespaceProblem(namespace).or(() -> MetricKey.nameProblem(name));
        if (problem.isPresent()) {
            throw new ConfigException(problem.get());
        }
    }

    /** A metric of the adapter's own protocol. */
    public MetricConfig(String namespace, String name, TriggerSpec trigger, Optional<Duration> maxAge,
                        OnErrorPolicy onError) {
        this(namespace, name, trigger, maxAge, onError, Optional.empty());
    }

    /** Its namespace and name. */
    public MetricKey key() {
        return new MetricKey(namespace, name);
    }
}
