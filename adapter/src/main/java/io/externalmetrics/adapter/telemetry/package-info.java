/**
 * The adapter's own metrics, served on {@code GET /metrics} in the Prometheus text format: one
 * registry per adapter, fed by the events of the cache, the provider runtime and the HTTP layer.
 */
package io.externalmetrics.adapter.telemetry;
