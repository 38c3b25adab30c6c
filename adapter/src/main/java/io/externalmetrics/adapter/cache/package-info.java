/**
 * The metric cache: one immutable {@link io.externalmetrics.adapter.cache.MetricState} per
 * registered metric, swapped atomically by refreshers and read without locks by the HTTP path.
 * Values are encoded to JSON once per refresh, so a read only selects and concatenates bytes.
 */
package io.externalmetrics.adapter.cache;
