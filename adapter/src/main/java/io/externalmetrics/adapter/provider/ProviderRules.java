package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricRef;
import io.grpc.ManagedChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The adapter's own rules for a provider's replies and its own channel to one, for checking a
 * provider outside a running adapter (the {@code check-provider} command): a bridge over this
 * package's {@code DescribeResponses}, {@code FetchResponses} and {@code ProviderManager.open}, so
 * the check and the adapter never disagree about what is served.
 */
public final class ProviderRules {

    private ProviderRules() {
    }

    /**
     * A Describe reply as the adapter takes it.
     *
     * @param metrics    the metrics it serves, in the reply's order
     * @param skipped    the descriptors it skips, each with why
     * @param duplicates metrics listed again (names compared ignoring case); the first listing is used
     */
    public record Described(List<MetricInfo> metrics, List<Skipped> skipped, List<MetricKey> duplicates) {
        public Described {
            metrics = List.copyOf(metrics);
            skipped = List.copyOf(skipped);
            duplicates = List.copyOf(duplicates);
        }
    }

    /**
     * A descriptor the adapter skips.
     *
     * @param which   the metric, as a user reads it ({@code metric "m" in namespace "*"})
     * @param problem why, starting with the field at fault ({@code interval ...}, {@code max_age ...})
     */
    public record Skipped(String which, String problem) {
    }

    /**
     * What the adapter makes of one Fetch reply.
     *
     * @param problem             why it would reject the whole reply; empty when it serves it
     * @param observedTooFarAhead how far the reply's {@code observed_at} is ahead of its receipt, when
     *                            beyond the clock-skew allowance (the time of receipt is then used)
     */
    public record Reply(Optional<String> problem, Optional<Duration> observedTooFarAhead,
                        Optional<Instant> observedByProvider) {
        public Reply {
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(observedTooFarAhead, "observedTooFarAhead");
            Objects.requireNonNull(observedByProvider, "observedByProvider");
        }

        static Reply rejected(String problem) {
            return new Reply(Optional.of(problem), Optional.empty(), Optional.empty());
        }
    }

    /** A channel to a provider, opened as the adapter opens it; closing it stops its TLS file checks. */
    public static final class Channel implements AutoCloseable {
        private final ProviderManager.OpenChannel open;

        private Channel(ProviderManager.OpenChannel open) {
            this.open = open;
        }

        public ManagedChannel channel() {
            return open.channel();
        }

        @Override
        public void close() {
            open.shutdownNow();
        }
    }

    /** The metrics {@code reply} describes, as the adapter with {@code config} would serve them. */
    public static Described describe(DescribeResponse reply, ProviderConfig config) {
        DescribeResponses.MetricSet set = DescribeResponses.toMetricSet(reply, config);
        return new Described(set.metrics(), set.skipped().stream()
                .map(s -> new Skipped(s.which(), s.problem())).toList(), set.duplicates());
    }

    /** Checks a Fetch reply with the adapter's own validation, under {@code config}'s limits and skew allowance. */
    public static Reply fetchReply(String metricName, FetchResponse reply, Instant receivedAt,
                                   ProviderConfig config) {
        var ahead = new AtomicReference<Duration>();
        var rules = new ReplyRules(config.name(), new ReplyLimits(config.maxSeries(), config.maxLabelsPerSeries()),
                config.maxClockSkew()) {
            @Override
            void observedTooFarAhead(String metric, Instant observedAt, Duration by) {
                ahead.set(by);
            }
        };
        try {
            Sample sample = FetchResponses.toSample(metricName, reply, receivedAt, rules);
            return new Reply(Optional.empty(), Optional.ofNullable(ahead.get()),
                    sample.observedByProvider() ? Optional.of(sample.observedAt()) : Optional.empty());
        } catch (InvalidReplyException e) {
            return Reply.rejected(e.getMessage());
        } catch (RuntimeException e) {
            // the adapter's refresher takes any exception of a reply's conversion as a failed fetch too
            return Reply.rejected(e.toString());
        }
    }

    /** The deadline the adapter sets on a Fetch of {@code metric}. */
    public static Duration fetchDeadline(MetricInfo metric, ProviderConfig config) {
        return ProviderRuntime.fetchDeadline(metric.trigger(), config.deadline());
    }

    /** A metric reference as the adapter reads it: an empty namespace is {@code *}. */
    public static MetricKey key(MetricRef ref) {
        return Protos.key(ref);
    }

    public static MetricRef ref(MetricKey key) {
        return Protos.ref(key);
    }

    /**
     * Opens a channel to {@code config}'s target as the adapter does (plaintext or TLS, its message
     * size and keepalive settings), reading TLS files on {@code reader} and timing their checks on
     * {@code scheduler}.
     *
     * @throws io.externalmetrics.adapter.security.TlsSetupException naming the file, when a TLS file does not read
     */
    public static Channel open(ProviderConfig config, ScheduledExecutorService scheduler, Executor reader) {
        var env = new ProviderManager.Environment(scheduler, reader, Clock.systemUTC(), System::nanoTime);
        return new Channel(ProviderManager.open(config, env, ProviderManager.TLS_RELOAD_PERIOD));
    }
}
