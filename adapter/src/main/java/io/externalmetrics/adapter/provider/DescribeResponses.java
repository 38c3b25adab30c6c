package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.config.MetricConfig;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.MetricDescriptor;
import io.externalmetrics.proto.v1.MetricRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a provider's {@code DescribeResponse}, or its configuration when it has no Describe, into the
 * set of metrics it serves: pure functions, no calls and no logging, so every rule is tested without
 * a socket. Configured metrics lend their policies (max age, on-error) to described ones of the same
 * namespace and name.
 */
final class DescribeResponses {

    private DescribeResponses() {
    }

    /**
     * The metrics a provider serves, and the Describe entries left out.
     *
     * @param metrics    the usable metrics, in the reply's order
     * @param skipped    the entries that cannot be served, each with why
     * @param duplicates metrics listed again, names compared ignoring case (the first listing is used)
     */
    record MetricSet(List<MetricInfo> metrics, List<Skipped> skipped, List<MetricKey> duplicates) {

        MetricSet {
            metrics = List.copyOf(metrics);
            skipped = List.copyOf(skipped);
            duplicates = List.copyOf(duplicates);
        }

        /** How Describe went, for the inventory: where a skipped metric's user looks for why it is a 404. */
        String status() {
            String ok = "ok: " + metrics.size() + " metrics";
            String status = skipped.isEmpty() ? ok : ok + "; skipped " + skipped.size() + ": "
                    + String.join("; ", skipped.stream().map(Skipped::toString).toList());
            List<String> problems = policyProblems();
            return problems.isEmpty() ? status : status + "; " + String.join("; ", problems);
        }

        /** Served metrics whose on-error policy cannot work with their max age, each with why. */
        List<String> policyProblems() {
            return metrics.stream()
                    .flatMap(info -> info.policyProblem().map(problem -> "metric " + info.key() + ": " + problem)
                            .stream())
                    .toList();
        }
    }

    /**
     * A Describe entry that cannot be served.
     *
     * @param which   the metric, as a user reads it ({@code metric "m" in namespace "*"})
     * @param problem why
     */
    record Skipped(String which, String problem) {
        @Override
        public String toString() {
            return which + ": " + problem;
        }
    }

    /** The configured metrics of {@code config}: what a provider without Describe serves. */
    static MetricSet configured(ProviderConfig config) {
        List<MetricInfo> metrics = new ArrayList<>();
        for (MetricConfig metric : config.metrics()) {
            metrics.add(new MetricInfo(metric.key(), config.name(),
                    metric.trigger(), metric.maxAge().orElseGet(metric.trigger()::defaultMaxAge),
                    metric.onError()));
        }
        return new MetricSet(metrics, List.of(), List.of());
    }

    /** The metrics {@code reply} describes, with the policies {@code config} sets for them. */
    static MetricSet toMetricSet(DescribeResponse reply, ProviderConfig config) {
        Map<MetricKey, MetricConfig> configured = new HashMap<>();
        for (MetricConfig metric : config.metrics()) {
            configured.put(metric.key(), metric);
        }
        List<MetricInfo> metrics = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        List<MetricKey> duplicates = new ArrayList<>();
        Set<MetricKey> listed = new HashSet<>();
        for (MetricDescriptor descriptor : reply.getMetricsList()) {
            Optional<String> problem = problem(descriptor);
            if (problem.isPresent()) {
                MetricRef ref = descriptor.getMetric();
                skipped.add(new Skipped("metric \"" + StatusJson.abbreviate(ref.getName()) + "\" in namespace \""
                        + StatusJson.abbreviate(ref.getNamespace()) + "\"", problem.get()));
                continue;
            }
            MetricKey key = Protos.key(descriptor.getMetric());
            if (!listed.add(key.folded())) {
                duplicates.add(key); // the rule configuration applies: names that differ only in case are one metric
                continue;
            }
            Optional<MetricConfig> local = Optional.ofNullable(configured.get(key));
            TriggerSpec trigger = switch (descriptor.getTriggerCase()) {
                case INTERVAL -> new TriggerSpec.Interval(Protos.duration(descriptor.getInterval()));
                case PUSH -> new TriggerSpec.Push();
                case TRIGGER_NOT_SET -> local.map(MetricConfig::trigger)
                        .orElse(new TriggerSpec.Interval(TriggerSpec.DEFAULT_INTERVAL));
            };
            Duration maxAge = descriptor.hasMaxAge()
                    ? Protos.duration(descriptor.getMaxAge())
                    : local.flatMap(MetricConfig::maxAge).orElseGet(trigger::defaultMaxAge);
            OnErrorPolicy onError = local.map(MetricConfig::onError).orElse(OnErrorPolicy.error());
            metrics.add(new MetricInfo(key, config.name(), trigger, maxAge, onError));
        }
        return new MetricSet(metrics, skipped, duplicates);
    }

    private static Optional<String> problem(MetricDescriptor descriptor) {
        MetricKey key = Protos.key(descriptor.getMetric());
        Optional<String> namespaceProblem = MetricKey.namespaceProblem(key.namespace());
        if (namespaceProblem.isPresent()) {
            return Optional.of("namespace " + namespaceProblem.get());
        }
        Optional<String> nameProblem = MetricKey.nameProblem(key.name());
        if (nameProblem.isPresent()) {
            return nameProblem;
        }
        if (descriptor.hasInterval()) {
            Optional<String> intervalProblem = durationProblem("interval", descriptor.getInterval(),
                    TriggerSpec.MIN_PERIOD);
            if (intervalProblem.isPresent()) {
                return intervalProblem;
            }
        }
        if (descriptor.hasMaxAge()) {
            return durationProblem("max_age", descriptor.getMaxAge(), Duration.ofNanos(1));
        }
        return Optional.empty();
    }

    /**
     * Why a described duration cannot be used: not a valid {@code google.protobuf.Duration} (nanos
     * within ±999,999,999 and of the sign of seconds), or outside [{@code min}, 365 days].
     */
    private static Optional<String> durationProblem(String field, com.google.protobuf.Duration d, Duration min) {
        long seconds = d.getSeconds();
        int nanos = d.getNanos();
        if (nanos < -999_999_999 || nanos > 999_999_999 || seconds > 0 && nanos < 0 || seconds < 0 && nanos > 0) {
            return Optional.of(field + " is not a valid duration (seconds " + seconds + ", nanos " + nanos
                    + "): nanos must be within +-999999999 and have the sign of seconds");
        }
        if (seconds < 0 || seconds == 0 && nanos <= 0) {
            return Optional.of(field + " must be positive");
        }
        Duration value = Duration.ofSeconds(seconds, nanos); // cannot overflow: seconds >= 0, nanos < 1s
        if (value.compareTo(TriggerSpec.MAX_PERIOD) > 0) {
            return Optional.of(field + " must be at most " + TriggerSpec.MAX_PERIOD.toDays() + " days, got "
                    + Durations.format(value));
        }
        if (value.compareTo(min) < 0) {
            return Optional.of(field + " must be at least " + Durations.format(min) + ", got "
                    + Durations.format(value));
        }
        return Optional.empty();
    }
}
