/**
 * Write an externalmetrics metric provider in Java: register metric functions, serve them over
 * gRPC to the externalmetrics adapter, which caches their values and serves them to Kubernetes'
 * HorizontalPodAutoscaler.
 *
 * <pre>{@code
 * try (var server = MetricProviderServer.builder()
 *         .port(50051)
 *         .addMetric(Namespace.ALL, "incrementable", Trigger.every(Duration.ofSeconds(1)),
 *                 this::someIncrementingMetric)
 *         .build()
 *         .start()) {
 *     server.awaitTermination();
 * }
 *
 * Value someIncrementingMetric(MetricRequest request) {
 *     return Value.of(counterA)
 *             .withSelector("some-key", "A", counterA)
 *             .withSelector("some-key", "B", counterB);
 * }
 * }</pre>
 *
 * <p>What lives here:
 * <ul>
 *   <li>{@link io.externalmetrics.provider.MetricProviderServer}: registers metrics and serves
 *       them (its own gRPC server, or {@link
 *       io.externalmetrics.provider.MetricProviderServer#bindableService() mounted} in yours);</li>
 *   <li>{@link io.externalmetrics.provider.MetricFunction}, {@link
 *       io.externalmetrics.provider.MetricRequest}: the code that computes a metric, and what it is
 *       asked;</li>
 *   <li>{@link io.externalmetrics.provider.Value}, {@link io.externalmetrics.provider.Series}: what
 *       it answers, validated when built;</li>
 *   <li>{@link io.externalmetrics.provider.Trigger}, {@link
 *       io.externalmetrics.provider.EventTrigger}: when the adapter fetches the metric again;</li>
 *   <li>{@link io.externalmetrics.provider.Namespace}: the namespace constants.</li>
 * </ul>
 *
 * <p>The wire contract is {@code externalmetrics/v1/provider.proto}; nothing in this package's
 * public API exposes its generated classes.
 */
package io.externalmetrics.provider;
