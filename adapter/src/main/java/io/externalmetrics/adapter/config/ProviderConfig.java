package io.externalmetrics.adapter.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * One metric provider: a gRPC server serving {@code externalmetrics.v1.MetricProvider}.
 *
 * @param name     unique; appears in Status messages, logs and the debug inventory
 * @param target   the gRPC target, e.g. {@code 127.0.0.1:50051} or {@code dns:///provider:50051}
 * @param deadline the deadline of each Fetch (at most half the interval is used, but never under 10 ms)
 * @param metrics  metrics used when the provider does not implement Describe; also the policies
 *                 (on-error, max age) of described metrics with the same namespace and name
 * @param retry    backoff of retries after failures
 * @param maxSeries          most series a Fetch reply may carry; more is a provider error
 * @param maxLabelsPerSeries most labels one series may carry; more is a provider error
 * @param maxReplyBytes      largest gRPC message accepted from the provider; larger is RESOURCE_EXHAUSTED
 * @param keepAlive          how long a connection with calls in flight may stay silent before a
 *                           keepalive ping checks it (a hung peer is then dropped)
 * @param maxClockSkew       how far ahead of the adapter's clock a reply's {@code observed_at} may be.
 *                           A value's age is the older of the time since its fetch and the time since
 *                           its {@code observed_at}, so a provider relaying a source that stopped
 *                           updating goes stale like one that stopped answering. Within the allowance
 *                           a future {@code observed_at} is served as the items' timestamp and the age
 *                           counts from the fetch; beyond it the provider's clock is not believed: the
 *                           fetch time is served and aged from instead (logged once per provider), so
 *                           no item is ever timestamped further in the future than the allowance
 */
public record ProviderConfig(String name, String target, Duration deadline, List<MetricConfig> metrics,
                             RetryConfig retry, int maxSeries, int maxLabelsPerSeries, int maxReplyBytes,
                             Duration keepAlive, Duration maxClockSkew) {

    /** Deadline of a Fetch when none is configured. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(2);
    /** Default bound on series per reply. */
    public static final int DEFAULT_MAX_SERIES = 10_000;
    /** Default bound on labels per series. */
    public static final int DEFAULT_MAX_LABELS_PER_SERIES = 64;
    /**
     * Default bound on the size of a reply, 64 MiB: room for the most series at the default limit with
     * long labels (gRPC's own default, 4 MiB, is reached by 10,000 series of 10 labels of 60 characters).
     */
    public static final int DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024;
    /**
     * Default keepalive, 5 minutes: gRPC servers in Go, Java, Python and Node refuse pings more often
     * by default (GOAWAY too_many_pings), so a shorter one breaks providers built from the .proto.
     */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofMinutes(5);
    /** Shortest keepalive: gRPC Java raises anything shorter to this. */
    public static final Duration MIN_KEEP_ALIVE = Duration.ofSeconds(10);
    /** Default clock-skew allowance: well beyond NTP-synced clocks, well below any max age worth having. */
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofSeconds(30);
    /** Largest clock-skew allowance: a provider's clock further off than this needs fixing, not allowing. */
    public static final Duration MAX_CLOCK_SKEW_LIMIT = Duration.ofHours(1);
    /** Max age of a push metric when neither configuration nor Describe sets one. */
    public static final Duration DEFAULT_PUSH_MAX_AGE = Duration.ofMinutes(1);

    public ProviderConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        metrics = List.copyOf(metrics);
        if (maxSeries < 1 || maxLabelsPerSeries < 1 || maxReplyBytes < 1) {
            throw new ConfigException("provider \"" + name
                    + "\": maxSeries, maxLabelsPerSeries and maxReplyBytes must be positive");
        }
        if (keepAlive.compareTo(MIN_KEEP_ALIVE) < 0) {
            throw new ConfigException("provider \"" + name + "\": keepAlive must be at least "
                    + Durations.format(MIN_KEEP_ALIVE));
        }
        if (maxClockSkew.isNegative() || maxClockSkew.compareTo(MAX_CLOCK_SKEW_LIMIT) > 0) {
            throw new ConfigException("provider \"" + name + "\": maxClockSkew must be between 0s and "
                    + Durations.format(MAX_CLOCK_SKEW_LIMIT) + ", got " + Durations.format(maxClockSkew));
        }
        var keys = new HashSet<String>();
        for (MetricConfig metric : metrics) {
            if (!keys.add(metric.namespace() + "/" + MetricNames.folded(metric.name()))) {
                throw new ConfigException("provider \"" + name + "\": metric \"" + metric.name()
                        + "\" in namespace \"" + metric.namespace() + "\" is listed twice (names match ignoring case)");
            }
        }
    }

    /** A provider with every optional setting at its default. */
    public static ProviderConfig of(String name, String target) {
        return new ProviderConfig(name, target, DEFAULT_DEADLINE, List.of(), RetryConfig.DEFAULTS,
                DEFAULT_MAX_SERIES, DEFAULT_MAX_LABELS_PER_SERIES, DEFAULT_MAX_REPLY_BYTES, DEFAULT_KEEP_ALIVE,
                DEFAULT_MAX_CLOCK_SKEW);
    }

    /**
     * A metric's max age when neither configuration nor Describe gives one: three intervals, so one
     * or two failed fetches in a row are ridden out; push metrics 1m (they are re-fetched every third
     * of it besides their events).
     */
    public static Duration defaultMaxAge(TriggerSpec trigger) {
        return switch (trigger) {
            case TriggerSpec.Interval interval -> interval.period().multipliedBy(3);
            case TriggerSpec.Push push -> DEFAULT_PUSH_MAX_AGE;
        };
    }
}
