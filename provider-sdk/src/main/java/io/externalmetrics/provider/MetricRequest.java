package io.externalmetrics.provider;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link MetricFunction} is asked: a metric, by the namespace and name it was registered
 * under, and the time by which the caller needs the answer.
 */
public final class MetricRequest {

    private final String namespace;
    private final String name;
    private final Instant deadline; // null: none

    private MetricRequest(String namespace, String name, Instant deadline) {
        this.namespace = Objects.requireNonNull(namespace, "namespace must not be null");
        this.name = Objects.requireNonNull(name, "name must not be null");
        this.deadline = deadline;
    }

    /**
     * A request without a deadline, e.g. to call a metric function in a test.
     *
     * @param namespace the namespace the metric was registered under ({@link Namespace#ALL}
     *     included)
     * @param name the metric name
     * @return the request
     */
    public static MetricRequest of(String namespace, String name) {
        return new MetricRequest(namespace, name, null);
    }

    /**
     * A request with a deadline.
     *
     * @param namespace the namespace the metric was registered under ({@link Namespace#ALL}
     *     included)
     * @param name the metric name
     * @param deadline when the caller stops waiting for the answer
     * @return the request
     */
    public static MetricRequest of(String namespace, String name, Instant deadline) {
        return new MetricRequest(namespace, name,
                Objects.requireNonNull(deadline, "deadline must not be null"));
    }

    /**
     * The namespace the metric was registered under: a Kubernetes namespace or {@link
     * Namespace#ALL}.
     *
     * @return the namespace
     */
    public String namespace() {
        return namespace;
    }

    /**
     * The metric name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * When the caller stops waiting for the answer (the gRPC deadline of the Fetch call).
     *
     * @return the deadline, or empty if the caller set none
     */
    public Optional<Instant> deadline() {
        return Optional.ofNullable(deadline);
    }

    /**
     * The time left until the {@link #deadline()}, e.g. to bound a call to a backend.
     *
     * @return the time left, zero once the deadline has passed, or empty if there is no deadline
     */
    public Optional<Duration> timeRemaining() {
        if (deadline == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(Instant.now(), deadline);
        return Optional.of(left.isNegative() ? Duration.ZERO : left);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetricRequest other
                && namespace.equals(other.namespace)
                && name.equals(other.name)
                && Objects.equals(deadline, other.deadline);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, name, deadline);
    }

    @Override
    public String toString() {
        return "MetricRequest[namespace=" + namespace + ", name=" + name
                + (deadline == null ? "" : ", deadline=" + deadline) + "]";
    }
}
