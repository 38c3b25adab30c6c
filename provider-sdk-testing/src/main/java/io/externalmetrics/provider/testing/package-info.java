/**
 * Test a metric provider from JUnit (or any test framework): {@link
 * io.externalmetrics.provider.testing.ProviderTester} serves it in-process, without sockets, and
 * calls Fetch, Describe and Watch as the adapter does, answering in the SDK's types.
 *
 * <pre>{@code
 * @Test
 * void queueDepth_afterOneJob_isOne() {
 *     try (var tester = ProviderTester.of(MetricProviderServer.builder()
 *             .addMetric(Namespace.ALL, "queue-depth", Trigger.every(Duration.ofSeconds(5)),
 *                     request -> Value.of(queue.size()))
 *             .build())) {
 *         queue.add("job");
 *         assertThat(tester.fetch(MetricKey.forAllNamespaces("queue-depth")).value()).hasValue(1);
 *     }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link io.externalmetrics.provider.testing.ProviderTester}: fetch, describe, watch; an SDK
 *       provider, any implementation of the gRPC service, or a provider already serving
 *       ({@link io.externalmetrics.provider.testing.ProviderTester#connect connect}, e.g. over
 *       TLS with grpc-testing's {@code TlsTesting} certificates);</li>
 *   <li>{@link io.externalmetrics.provider.testing.MetricDescription}: one metric as Describe lists
 *       it;</li>
 *   <li>{@link io.externalmetrics.provider.testing.WatchRecording}: a Watch stream's events, to
 *       wait for and assert on.</li>
 * </ul>
 *
 * <p>Built on grpc-java's {@code grpc-testing} (its {@code StreamRecorder} records Watch streams)
 * without its JUnit 4 rules: nothing here needs JUnit 4, and the dependency leaves it out.
 */
package io.externalmetrics.provider.testing;
