package io.externalmetrics.provider;

import io.externalmetrics.proto.v1.MetricRef;
import java.util.Objects;

/**
 * A metric's identity: the namespace it is registered under ({@link Namespace#ALL} included) and
 * its name, as {@link MetricProviderServer.Builder#addMetric} takes them and the adapter asks for
 * them.
 *
 * <p>Not validated beyond null checks: a key names what is asked for, and asking for a metric that
 * does not exist is answered with {@code NOT_FOUND}, not refused when the key is made.
 *
 * @param namespace the namespace: a Kubernetes namespace or {@link Namespace#ALL}
 * @param name the metric name
 */
public record MetricKey(String namespace, String name) {

    /**
     * Checks the arguments.
     *
     * @throws NullPointerException if {@code namespace} or {@code name} is null
     */
    public MetricKey {
        Objects.requireNonNull(namespace, "namespace must not be null");
        Objects.requireNonNull(name, "name must not be null");
    }

    /**
     * The key of a metric registered for all namespaces ({@link Namespace#ALL}).
     *
     * @param name the metric name
     * @return the key
     */
    public static MetricKey forAllNamespaces(String name) {
        return new MetricKey(Namespace.ALL, name);
    }

    static MetricKey of(MetricRef ref) {
        return new MetricKey(ref.getNamespace(), ref.getName());
    }

    MetricRef toProto() {
        return MetricRef.newBuilder().setNamespace(namespace).setName(name).build();
    }

    /**
     * How error messages name a metric.
     *
     * @return e.g. {@code metric "queue-depth" in namespace "*"}
     */
    @Override
    public String toString() {
        return "metric " + Labels.quote(name) + " in namespace " + Labels.quote(namespace);
    }
}
