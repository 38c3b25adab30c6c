/**
 * gRPC clients of metric providers: learning their metrics (Describe), refreshing values on
 * interval ticks and Watch events (Fetch), validating replies, and writing results to the cache.
 * One long-lived channel per provider; a provider's slowness stays inside its own bulkhead.
 *
 * <p>One part per job: {@code ProviderManager} starts and stops providers; per provider,
 * {@code ProviderRuntime} wires its protocol's {@code MetricSource} (ours: {@code MetricProviderSource}
 * with {@code DescribeCalls}, Describe and its retry, and {@code WatchSession}, the Watch stream and
 * its backoff; KEDA's external scalers: {@code KedaScalerSource}), {@code DescribeResponses} (a reply
 * as a metric set, pure) and {@code Reconciler} (one {@code MetricRefresher} and tick per metric),
 * running every state change in one {@code io.grpc.SynchronizationContext}; a channel
 * with {@code tls} gets its credentials from {@code ReloadingTls}, which re-reads the files. Time and
 * threads come from {@code ProviderManager.Environment}, so tests run all of it on virtual time.
 */
package io.externalmetrics.adapter.provider;
