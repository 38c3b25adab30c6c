/**
 * What {@code bench/run} starts besides the adapter: {@link BenchProvider}, a provider of synthetic
 * metrics of any size and count, and {@link LimitServer}, a plain Helidon server answering constant
 * bytes, the fastest the adapter's read path could be on the same server settings.
 */
package io.externalmetrics.bench;
