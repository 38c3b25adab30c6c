package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.Sample;
import io.grpc.SynchronizationContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/**
 * A source of metric values: what one provider protocol does at run time. It learns which metrics
 * it serves, fetches one metric's value when asked, and tells when a metric changed. One
 * implementation per protocol ({@link MetricProviderSource}, {@link KedaScalerSource}); everything
 * else (the channel and its reconnects, which metrics are served, scheduling, retries, the cache,
 * freshness, on-error policies, Status messages, telemetry, the inventory and explain) is the
 * {@link ProviderRuntime}'s, the same for every protocol. The exception is another external-metrics
 * server, which computes per (namespace, metric, selector) rather than per metric: see
 * {@link ForwardedTuples} and this package's documentation.
 *
 * <p>{@link #learn}, {@link #watch}, {@link #watchUnimplemented} and {@link #stop} run in the
 * provider's {@link SynchronizationContext}, and the listener hears there, except
 * {@link Listener#changed}. Fetchers start fetches on any thread and must not block it.
 */
interface MetricSource {

    /** Hears what the source learns. */
    interface Listener {
        /**
         * The source listed its metrics; {@code status} says so for the inventory. A
         * {@link RuntimeException} thrown here is retried like a failed call.
         */
        void learned(DescribeResponses.MetricSet metrics, String status);

        /** The source cannot list its metrics: the configured ones are served. Not retried. */
        void unlisted();

        /** Learning failed ({@code why}, as a user reads it); a retry is scheduled. */
        void failing(String why);

        /** Watching opened (again): changes of {@code keys} may have been missed, so each is fetched once. */
        void watchOpened(Collection<MetricKey> keys);

        /** A watched metric changed: fetch it. On gRPC's thread; must not block. */
        void changed(MetricKey key);

        /** A broken watch stream is opened again. */
        void watchReconnecting();
    }

    /** Fetches of one metric. */
    interface Fetcher {
        /**
         * Starts a fetch that waits at most {@code deadline}, and returns: it never blocks. {@code done}
         * hears how it ended exactly once, on any thread (gRPC's, for a call of our protocol), and must not
         * block there. What this throws is the fetch's failure, unless {@code done} heard of its end already.
         */
        void fetch(Duration deadline, Done done);
    }

    /** Hears how one fetch ended. */
    interface Done {
        /** The source answered. */
        void replied(Reply reply);

        /** The fetch failed: {@code why} says so as a user reads it (a gRPC status, an invalid reply). */
        void failed(Throwable why);
    }

    /** A source's answer, read into a value only when it is still wanted. */
    interface Reply {
        /**
         * The value.
         *
         * @param receivedAt its observation time, unless the source gave one
         * @throws InvalidReplyException saying what is wrong (the bytes no message of the protocol included)
         */
        Sample toSample(Instant receivedAt);

        /** The reply's size on the wire, which {@link #toSample} reads through: what reading it costs. */
        long bytes();
    }

    /** Makes fetchers. */
    interface Fetchers {
        /** The fetcher of {@code info}: made once per served metric, so it may prepare its request. */
        Fetcher fetcher(MetricInfo info);
    }

    /** Learns the metrics now, superseding any call in flight or waiting to retry (they may have changed). */
    void learn();

    /** Whether changes of {@code info} are watched, rather than only polled. */
    boolean watches(MetricInfo info);

    /** Watches {@code metrics} (those {@link #watches} accepts) from now on, ending any earlier watch. */
    void watch(Collection<MetricInfo> metrics);

    /** Whether the source said it cannot watch (until the next {@link #watch}): asked again on reconnect. */
    boolean watchUnimplemented();

    /** The fetchers of this source's metrics. */
    Fetchers fetchers();

    /** Stops learning and watching. */
    void stop(String why);
}
