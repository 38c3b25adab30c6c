package io.externalmetrics.adapter.config;

import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.k8s.Durations;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One metric provider: a gRPC server serving {@code externalmetrics.v1.MetricProvider}, or another
 * protocol's source of metric values ({@code protocol}).
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
 * @param tls                TLS to the provider; empty: plaintext, the default, meant for a sidecar on loopback
 * @param protocol           what the provider speaks; a KEDA external scaler serves exactly its configured
 *                           metrics, each with its {@link MetricConfig#scaler}
 * @param upstream           with {@code protocol: externalMetricsApi} (and only then), what it forwards and how
 */
public record ProviderConfig(String name, String target, Duration deadline, List<MetricConfig> metrics,
                             RetryConfig retry, int maxSeries, int maxLabelsPerSeries, int maxReplyBytes,
                             Duration keepAlive, Duration maxClockSkew, Optional<ProviderTls> tls,
                             ProviderProtocol protocol, Optional<UpstreamConfig> upstream) {

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

    public ProviderConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(upstream, "upstream");
        metrics = List.copyOf(metrics);
        boolean forwarding = protocol == ProviderProtocol.EXTERNAL_METRICS_API;
        if (forwarding != upstream.isPresent()) {
            throw new IllegalArgumentException("upstream settings go with protocol externalMetricsApi, only with it");
        }
        if (forwarding && !metrics.isEmpty()) {
            check(name, "metrics", Optional.of(UPSTREAM_HAS_NO_METRICS));
        }
        if (forwarding) {
            check(name, "target", UpstreamConfig.targetProblem(target));
        }
        for (int i = 0; i < metrics.size(); i++) {
            check(name, "metrics[" + i + "]", scalerProblem(protocol, metrics.get(i)));
        }
        if (protocol == ProviderProtocol.KEDA_EXTERNAL_SCALER && metrics.isEmpty()) {
            check(name, "metrics", Optional.of(KEDA_NEEDS_METRICS));
        }
        check(name, "maxSeries", limitProblem(maxSeries));
        check(name, "maxLabelsPerSeries", limitProblem(maxLabelsPerSeries));
        check(name, "maxReplyBytes", limitProblem(maxReplyBytes));
        check(name, "keepAlive", keepAliveProblem(keepAlive));
        check(name, "maxClockSkew", maxClockSkewProblem(maxClockSkew));
        duplicate(metrics).ifPresent(d -> check(name, "metrics[" + d.index() + "]", Optional.of(d.problem())));
    }

    /** A provider that does not forward to another external-metrics server. */
    public ProviderConfig(String name, String target, Duration deadline, List<MetricConfig> metrics,
                          RetryConfig retry, int maxSeries, int maxLabelsPerSeries, int maxReplyBytes,
                          Duration keepAlive, Duration maxClockSkew, Optional<ProviderTls> tls,
                          ProviderProtocol protocol) {
        this(name, target, deadline, metrics, retry, maxSeries, maxLabelsPerSeries, maxReplyBytes, keepAlive,
                maxClockSkew, tls, protocol, Optional.empty());
    }

    /** Why an upstream lists no metrics: it answers the names in {@code forward}, for any namespace and selector. */
    static final String UPSTREAM_HAS_NO_METRICS = "not used with protocol: externalMetricsApi (it answers the names "
            + "in forward; interval, maxAge and onError are set on the provider)";

    /** A provider of the adapter's own protocol. */
    public ProviderConfig(String name, String target, Duration deadline, List<MetricConfig> metrics,
                          RetryConfig retry, int maxSeries, int maxLabelsPerSeries, int maxReplyBytes,
                          Duration keepAlive, Duration maxClockSkew, Optional<ProviderTls> tls) {
        this(name, target, deadline, metrics, retry, maxSeries, maxLabelsPerSeries, maxReplyBytes, keepAlive,
                maxClockSkew, tls, ProviderProtocol.METRIC_PROVIDER);
    }

    /** Why a KEDA external scaler needs its metrics listed: it cannot list them itself. */
    static final String KEDA_NEEDS_METRICS = "required with protocol: kedaExternalScaler (a scaler cannot list the "
            + "objects it scales: each metric names its scaledObjectRef)";

    /** What is wrong with {@code metric} for {@code protocol}: a scaler's metric needs its scaledObjectRef. */
    static Optional<String> scalerProblem(ProviderProtocol protocol, MetricConfig metric) {
        if (protocol == ProviderProtocol.KEDA_EXTERNAL_SCALER && metric.scaler().isEmpty()) {
            return Optional.of("scaledObjectRef is required with protocol: kedaExternalScaler");
        }
        if (protocol != ProviderProtocol.KEDA_EXTERNAL_SCALER && metric.scaler().isPresent()) {
            return Optional.of("scaledObjectRef and scalerMetricName are only meaningful with protocol: "
                    + "kedaExternalScaler");
        }
        return Optional.empty();
    }

    private static void check(String provider, String field, Optional<String> problem) {
        if (problem.isPresent()) {
            throw new ConfigException("provider \"" + provider + "\": " + field + ": " + problem.get());
        }
    }

    /** What is wrong with a bound on replies ({@code maxSeries}, ...), or nothing: it must be at least 1. */
    static Optional<String> limitProblem(int value) {
        return value < 1 ? Optional.of("must be at least 1, got " + value) : Optional.empty();
    }

    /** What is wrong with a keepalive, or nothing: it must be at least {@link #MIN_KEEP_ALIVE}. */
    static Optional<String> keepAliveProblem(Duration keepAlive) {
        return keepAlive.compareTo(MIN_KEEP_ALIVE) < 0
                ? Optional.of(Durations.format(keepAlive) + " is shorter than the minimum of "
                        + Durations.format(MIN_KEEP_ALIVE))
                : Optional.empty();
    }

    /** What is wrong with a clock-skew allowance, or nothing: from 0s to {@link #MAX_CLOCK_SKEW_LIMIT}. */
    static Optional<String> maxClockSkewProblem(Duration maxClockSkew) {
        if (maxClockSkew.isNegative()) {
            return Optional.of("must not be negative, got " + Durations.format(maxClockSkew));
        }
        return maxClockSkew.compareTo(MAX_CLOCK_SKEW_LIMIT) > 0
                ? Optional.of(Durations.format(maxClockSkew) + " is longer than the limit of "
                        + Durations.format(MAX_CLOCK_SKEW_LIMIT) + "; a provider's clock that far off needs fixing")
                : Optional.empty();
    }

    /**
     * A metric listed twice in one provider's list.
     *
     * @param index   the later entry
     * @param problem what is wrong with it, naming the earlier entry
     */
    record Duplicate(int index, String problem) {
    }

    /**
     * The first metric that {@code metrics} lists twice, if any: same namespace, names equal ignoring
     * case (reads find a metric ignoring case, so at run time the second would clash with the first).
     */
    static Optional<Duplicate> duplicate(List<MetricConfig> metrics) {
        Map<MetricKey, Integer> seen = new HashMap<>();
        for (int i = 0; i < metrics.size(); i++) {
            MetricConfig metric = metrics.get(i);
            Integer first = seen.putIfAbsent(metric.key().folded(), i);
            if (first != null) {
                return Optional.of(new Duplicate(i, "metric \"" + metric.name() + "\" in namespace \""
                        + metric.namespace() + "\" is listed twice (as \"" + metrics.get(first).name()
                        + "\" in metrics[" + first + "]; metric names match ignoring case)"));
            }
        }
        return Optional.empty();
    }

    /**
     * What the configuration would say is wrong with a provider's {@code target} (and its TLS settings
     * for a Unix socket), for tools that take a target outside a configuration file.
     */
    public static Optional<String> targetProblem(String target, Optional<ProviderTls> tls) {
        return Targets.problem(target).or(() -> tls.flatMap(t -> ProviderTls.unixSocketProblem(target, t)));
    }

    /** A provider with every optional setting at its default. */
    public static ProviderConfig of(String name, String target) {
        return new ProviderConfig(name, target, DEFAULT_DEADLINE, List.of(), RetryConfig.DEFAULTS,
                DEFAULT_MAX_SERIES, DEFAULT_MAX_LABELS_PER_SERIES, DEFAULT_MAX_REPLY_BYTES, DEFAULT_KEEP_ALIVE,
                DEFAULT_MAX_CLOCK_SKEW, Optional.empty());
    }
}
