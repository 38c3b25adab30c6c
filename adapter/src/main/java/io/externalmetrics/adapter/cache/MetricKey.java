package io.externalmetrics.adapter.cache;

import java.util.Objects;

/**
 * A metric's identity: the namespace it is registered in ({@code *} for all) and its name.
 *
 * @param namespace a namespace or {@link #ALL_NAMESPACES}
 * @param name      the metric name, case-sensitive
 */
public record MetricKey(String namespace, String name) {

    /** The namespace of metrics served in every namespace. */
    public static final String ALL_NAMESPACES = "*";

    public MetricKey {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
