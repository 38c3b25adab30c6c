/**
 * The metric cache: one immutable {@link io.externalmetrics.adapter.cache.MetricState} per
 * registered metric, swapped atomically by refreshers and read without locks by the HTTP path.
 * Values are encoded to JSON once per refresh, so a read only selects and concatenates bytes (a
 * {@code static} fallback, served only while a metric has no fresh value, is encoded when read).
 * A value of many series is kept compact and indexed ({@link io.externalmetrics.adapter.cache.Sample}):
 * its items in one array, its labels as ids into a dictionary of its distinct keys and values, and an
 * index from label to series, so a selector reads the series it can match instead of every series.
 *
 * <p>It also owns the values that describe a metric ({@link io.externalmetrics.adapter.cache.MetricInfo}
 * with its {@link io.externalmetrics.adapter.cache.TriggerSpec} and
 * {@link io.externalmetrics.adapter.cache.OnErrorPolicy}) and each provider's published
 * {@link io.externalmetrics.adapter.cache.ProviderState}: configuration and providers build them, the
 * cache depends on neither.
 *
 * <p>For people debugging a read: {@link io.externalmetrics.adapter.cache.MetricCache#explain} says why a
 * read is answered as it is, from the read's own lookup and answer, and each state carries its last few
 * values ({@link io.externalmetrics.adapter.cache.Recent}) for the status page.
 *
 * <p>Names no registered metric has may be forwarded to another external-metrics server: the cache
 * then asks that provider's {@link io.externalmetrics.adapter.cache.Forwarder}, which keeps its own
 * values per (namespace, metric, selector); a registered metric always wins over a forwarded name.
 */
package io.externalmetrics.adapter.cache;
