/**
 * Write an externalmetrics metric provider in Java: register metric functions, serve them over
 * gRPC to the externalmetrics adapter, which caches their values and serves them to Kubernetes'
 * HorizontalPodAutoscaler.
 *
 * <pre>{@code
 * public static void main(String[] args) throws InterruptedException {
 *     var jobs = new ConcurrentLinkedQueue<String>();       // what the metric measures
 *     var server = MetricProviderServer.builder()
 *             .port(50051)                                    // the adapter's providers[].target
 *             .addMetric(Namespace.ALL, "queue-depth", Trigger.every(Duration.ofSeconds(5)), request -> {
 *                 int depth = jobs.size();                    // read once: value and series agree
 *                 return Value.of(depth).withSelector("queue", "jobs", depth);
 *             })
 *             .build()
 *             .start();
 *     Runtime.getRuntime().addShutdownHook(new Thread(server::close)); // SIGTERM: stop serving
 *     server.awaitTermination();
 * }
 * }</pre>
 *
 * <p>Depend on {@code io.externalmetrics:externalmetrics-provider-sdk}; test a provider with
 * {@code io.externalmetrics:externalmetrics-provider-sdk-testing}, whose {@code ProviderTester}
 * serves it in-process and fetches from it as the adapter does.
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
 *       it answers, validated when built; a value without an observation time is stamped when the
 *       function returns;</li>
 *   <li>{@link io.externalmetrics.provider.Trigger}, {@link
 *       io.externalmetrics.provider.EventTrigger}: when the adapter fetches the metric again;</li>
 *   <li>{@link io.externalmetrics.provider.Namespace}, {@link io.externalmetrics.provider.MetricKey}:
 *       the namespace constants, and a metric's namespace and name.</li>
 * </ul>
 *
 * <p>The wire contract is {@code externalmetrics/v1/provider.proto}; nothing in this package's
 * public API exposes its generated classes.
 */
package io.externalmetrics.provider;
