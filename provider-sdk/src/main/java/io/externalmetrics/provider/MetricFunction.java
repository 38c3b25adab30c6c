package io.externalmetrics.provider;

/**
 * Computes a metric: called on the server's executor each time the adapter fetches it.
 *
 * <p>Calls may come from several threads at once (the adapter fetches one metric at most once at a
 * time, but a metric function may be registered for several metrics, and other clients may call).
 * Honour {@link MetricRequest#deadline()}: past it the adapter has stopped waiting, the call fails
 * with {@code DEADLINE_EXCEEDED} and the thread running the function is interrupted.
 */
@FunctionalInterface
public interface MetricFunction {

    /**
     * Computes the metric now.
     *
     * @param request which metric is asked for, and until when
     * @return the value; never null
     * @throws Exception if the metric cannot be computed; the adapter receives an error whose
     *     message names the metric and includes the exception's message (a thrown
     *     {@link io.grpc.StatusRuntimeException} or {@link io.grpc.StatusException} keeps its
     *     status code, e.g. {@code UNAVAILABLE} when a backend is down)
     */
    Value fetch(MetricRequest request) throws Exception;
}
