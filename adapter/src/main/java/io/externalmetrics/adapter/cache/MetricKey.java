package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.LabelRules;
import io.externalmetrics.adapter.k8s.StatusJson;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

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

    /**
     * The key under which metrics that differ only in the case of their names are one metric: reads
     * find a metric ignoring case, so two such metrics would be ambiguous.
     */
    public MetricKey folded() {
        return new MetricKey(namespace, name.toLowerCase(Locale.ROOT));
    }

    /** What is wrong with a metric's namespace, or nothing: it must be {@code *} or a namespace name. */
    public static Optional<String> namespaceProblem(String namespace) {
        return namespace.equals(ALL_NAMESPACES) || LabelRules.isDnsLabel(namespace)
                ? Optional.empty()
                : Optional.of("\"" + StatusJson.abbreviate(namespace)
                        + "\" is neither \"*\" nor a Kubernetes namespace name (a DNS-1123 label)");
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
