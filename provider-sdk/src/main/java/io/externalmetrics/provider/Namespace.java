package io.externalmetrics.provider;

/**
 * Namespace constants for {@link MetricProviderServer.Builder#addMetric}.
 *
 * <p>A metric is registered either in one Kubernetes namespace or in {@link #ALL}. The adapter
 * answers a read for namespace {@code N} with the metric registered in {@code N}, else with the one
 * registered in {@link #ALL}.
 */
public final class Namespace {

    /** All namespaces: one value serves a read in any namespace. */
    public static final String ALL = "*";

    /** The Kubernetes {@code default} namespace. */
    public static final String DEFAULT = "default";

    private Namespace() {
    }
}
