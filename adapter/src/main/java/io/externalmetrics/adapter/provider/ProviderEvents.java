package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricInfo;

/**
 * What the provider runtime tells about itself as it runs, for the adapter's own metrics: passed in
 * like the clock, so this package does not depend on a metrics library and tests can pass {@link #NONE}.
 * Calls come from fetch threads, gRPC's threads and provider contexts; implementations must be quick
 * and thread-safe, and never block.
 */
public interface ProviderEvents {

    /** Hears nothing. */
    ProviderEvents NONE = new ProviderEvents() {
    };

    /** How a fetch ended. */
    enum FetchResult {
        /** A valid reply, now cached. */
        OK,
        /** The call failed (unreachable, deadline, an error status). */
        ERROR,
        /** The provider answered, but the reply breaks the contract (limits, labels, numbers). */
        INVALID
    }

    /** A fetch of one of {@code provider}'s metrics starts its call (after waiting for the provider's bulkhead). */
    default void fetchStarted(String provider) {
    }

    /** That call ended, in any way; exactly once per {@link #fetchStarted}. */
    default void fetchEnded(String provider) {
    }

    /** A fetch of {@code metric} was recorded in the cache with {@code result}, its call having taken {@code nanos}. */
    default void fetched(MetricInfo metric, FetchResult result, long nanos) {
    }

    /**
     * The fetch events of one metric, as {@link #fetchStarted}, {@link #fetchEnded} and {@link #fetched}
     * say them; asked once per refresher, so an implementation finds its per-metric and per-provider state
     * once rather than on every fetch (thousands a second).
     */
    default MetricFetches fetches(MetricInfo metric) {
        return new MetricFetches() {
            @Override
            public void started() {
                fetchStarted(metric.provider());
            }

            @Override
            public void ended() {
                fetchEnded(metric.provider());
            }

            @Override
            public void fetched(FetchResult result, long nanos) {
                ProviderEvents.this.fetched(metric, result, nanos);
            }
        };
    }

    /** One metric's fetch events: see {@link #fetches}. */
    interface MetricFetches {
        /** As {@link ProviderEvents#fetchStarted} for the metric's provider. */
        void started();

        /** As {@link ProviderEvents#fetchEnded} for the metric's provider. */
        void ended();

        /** As {@link ProviderEvents#fetched} for the metric. */
        void fetched(FetchResult result, long nanos);
    }

    /** The provider's channel is now in {@code state} (gRPC's connectivity state, e.g. {@code READY}). */
    default void connectivity(String provider, String state) {
    }

    /** The provider's Watch stream is opened again after one ended. */
    default void watchReconnected(String provider) {
    }

    /** A Describe call failed (or its reply could not be applied); it is retried. */
    default void describeFailed(String provider) {
    }
}
