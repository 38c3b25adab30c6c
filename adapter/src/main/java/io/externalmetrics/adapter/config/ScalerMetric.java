package io.externalmetrics.adapter.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a metric of a KEDA external scaler sends to the scaler: the {@code ScaledObjectRef} of
 * every call and the metric name asked of {@code GetMetrics}.
 *
 * @param name       {@code scaledObjectRef.name}
 * @param namespace  {@code scaledObjectRef.namespace}
 * @param metadata   {@code scaledObjectRef.scalerMetadata}: the scaler's settings (a trigger's metadata in KEDA)
 * @param metricName the scaler's name of the metric; empty: the first name {@code GetMetricSpec} gives
 */
public record ScalerMetric(String name, String namespace, Map<String, String> metadata, Optional<String> metricName) {

    public ScalerMetric {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(namespace, "namespace");
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(metricName, "metricName");
    }
}
