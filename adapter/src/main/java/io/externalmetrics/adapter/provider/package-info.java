/**
 * gRPC clients of metric providers: learning their metrics (Describe), refreshing values on
 * interval ticks and Watch events (Fetch), validating replies, and writing results to the cache.
 * One long-lived channel per provider; a provider's slowness stays inside its own bulkhead.
 */
package io.externalmetrics.adapter.provider;
