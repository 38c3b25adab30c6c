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
    /** Longest accepted metric name. */
    public static final int MAX_NAME_LENGTH = 253;

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

    /**
     * What is wrong with a metric name, or nothing: it must fit in one URL path segment of the
     * external metrics API.
     */
    public static Optional<String> nameProblem(String name) {
        if (name.isEmpty()) {
            return Optional.of("a metric name must not be empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return Optional.of("a metric name must be at most " + MAX_NAME_LENGTH + " characters");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("\"" + name + "\" cannot be a metric name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '%' || c <= ' ' || c == 0x7f) {
                return Optional.of("metric name \"" + name + "\" contains '"
                        + (c < ' ' ? "\\u%04x".formatted((int) c) : String.valueOf(c))
                        + "', which cannot appear in a URL path segment");
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
