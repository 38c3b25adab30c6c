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
 *
 * <p>Another external-metrics server ({@code protocol: externalMetricsApi}) is the one source that
 * does not fit {@code MetricSource}: it has no metrics to list and fetch per metric, it computes per
 * (namespace, metric, selector), and which tuples exist is known only from the reads. So it is not a
 * {@code ProviderRuntime} but its own small pair: {@code UpstreamClient} (one HTTPS GET of a tuple,
 * its answer re-encoded as the adapter writes items) and {@code ForwardedTuples} (the tuples followed,
 * each refreshed while read, dropped when idle, bounded in number), which the cache consults as a
 * {@code cache.Forwarder} for names no registered metric has. {@code ProviderManager} starts and
 * stops both kinds from one provider list; freshness, on-error policies, Status messages, the
 * adapter's own metrics and the provider's state in the inventory and explain are the same as for the
 * others. A fourth protocol is one new class: a {@code MetricSource} when it serves configured or listed
 * metrics, a {@code cache.Forwarder} when it answers per read.
 */
package io.externalmetrics.adapter.provider;
