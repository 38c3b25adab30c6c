package io.externalmetrics.adapter.check;

import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.adapter.provider.ProviderRules;
import io.externalmetrics.proto.v1.DescribeRequest;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs the contract's rules against one provider over {@code channel}, one call after the other
 * (but for the two concurrent Fetches), and returns what each found. Replies are judged by
 * {@link ProviderRules}, the adapter's own validation.
 */
final class ProviderChecker {

    /** A name no provider serves: its Fetch must answer NOT_FOUND. */
    static final String UNKNOWN_METRIC = "check-provider-no-such-metric";
    /** The concrete namespace a {@code *} metric is also fetched under. */
    static final String CONCRETE_NAMESPACE = "default";

    private final ManagedChannel channel;
    private final ProviderConfig config;
    private final CheckOptions options;
    private final ExecutorService executor;
    private final Clock clock;
    private final List<Finding> findings = new ArrayList<>();

    /** The provider could not be reached: nothing about the contract was learned. */
    static final class CannotConnect extends Exception {
        private static final long serialVersionUID = 1L;

        CannotConnect(String message) {
            super(message);
        }
    }

    /**
     * @param executor runs the concurrent Fetches
     * @param clock    the time a reply was received, for {@code observed_at}
     */
    ProviderChecker(ManagedChannel channel, CheckOptions options, ExecutorService executor, Clock clock) {
        this.channel = channel;
        this.options = options;
        this.config = options.providerConfig();
        this.executor = executor;
        this.clock = clock;
    }

    /** Runs every rule; the findings in the order they were made. */
    List<Finding> run() throws CannotConnect, InterruptedException {
        List<MetricInfo> metrics = describe();
        Optional<MetricInfo> valid = Optional.empty();
        for (MetricInfo metric : metrics) {
            if (fetch(metric, metric.key()) && valid.isEmpty()) {
                valid = Optional.of(metric);
            }
            if (metric.key().namespace().equals(MetricKey.ALL_NAMESPACES)) {
                fetchNamespaced(metric);
            }
        }
        notFound();
        // on a metric that answers a valid value alone, so that only concurrency can make it fail
        if (valid.isPresent()) {
            concurrent(valid.get());
        }
        findings.addAll(new WatchCheck(channel, options.watchFor()).run(metrics.stream()
                .filter(m -> m.trigger() instanceof TriggerSpec.Push).map(MetricInfo::key).toList()));
        return List.copyOf(findings);
    }

    // ---- Describe

    private List<MetricInfo> describe() throws CannotConnect {
        DescribeResponse reply;
        try {
            reply = stub(config.deadline()).describe(DescribeRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            if (channel.getState(false) != ConnectivityState.READY
                    && (status.getCode() == Status.Code.UNAVAILABLE
                    || status.getCode() == Status.Code.DEADLINE_EXCEEDED)) {
                throw new CannotConnect("could not connect: " + describe(status) + "; is the provider running and "
                        + "listening there" + (options.tls().isPresent() ? ", with TLS and a certificate this trusts?"
                        : ", without TLS (give --tls or --ca-file for one with TLS)?"));
            }
            if (status.getCode() == Status.Code.UNIMPLEMENTED) {
                return undescribed();
            }
            add(Rule.DESCRIBE.broken("Describe", "Describe answered " + describe(status)
                    + ": answer the metric list, or UNIMPLEMENTED to have the adapter use its configuration"));
            return options.metrics().stream().map(this::configured).toList();
        }
        ProviderRules.Described described = ProviderRules.describe(reply, config);
        add(Rule.DESCRIBE.passed("Describe", "lists " + reply.getMetricsCount() + " metrics"));
        for (ProviderRules.Skipped skipped : described.skipped()) {
            boolean duration = skipped.problem().startsWith("interval") || skipped.problem().startsWith("max_age");
            add((duration ? Rule.DESCRIPTOR_DURATIONS : Rule.DESCRIPTOR).broken("Describe", skipped.which()
                    + " is skipped by the adapter, which does not serve it: " + skipped.problem()));
        }
        if (described.skipped().isEmpty()) {
            add(Rule.DESCRIPTOR.passed("Describe", "every descriptor is one the adapter serves"));
        }
        for (MetricKey duplicate : described.duplicates()) {
            add(Rule.DESCRIBE_UNIQUE.broken("Describe", "metric " + duplicate + " is listed more than once (names"
                    + " compared ignoring case): list each metric once; the adapter uses the first listing only"));
        }
        if (described.duplicates().isEmpty()) {
            add(Rule.DESCRIBE_UNIQUE.passed("Describe", "no metric is listed twice"));
        }
        if (options.metrics().isEmpty()) {
            return described.metrics();
        }
        List<MetricInfo> chosen = new ArrayList<>();
        for (MetricKey wanted : options.metrics()) {
            Optional<MetricInfo> found = described.metrics().stream()
                    .filter(m -> m.key().folded().equals(wanted.folded())).findFirst();
            if (found.isPresent()) {
                chosen.add(found.get());
            } else {
                add(Rule.DESCRIBE.broken(wanted.toString(), "--metric " + wanted + " is not among the metrics "
                        + "Describe lists (" + described.metrics().stream().map(m -> m.key().toString()).toList()
                        + "): Describe lists every metric the provider serves, and the adapter serves only those"));
            }
        }
        return chosen;
    }

    private List<MetricInfo> undescribed() {
        if (options.metrics().isEmpty()) {
            add(Rule.DESCRIBE.broken("Describe", "Describe answered UNIMPLEMENTED and no --metric was given, so "
                    + "there is nothing to check: name the metrics the adapter's configuration lists for this "
                    + "provider with --metric NAMESPACE/NAME"));
            return List.of();
        }
        add(Rule.DESCRIBE.passed("Describe", "UNIMPLEMENTED: checking the --metric list, as the adapter would use "
                + "its configuration's"));
        return options.metrics().stream().map(this::configured).toList();
    }

    /** A metric named on the command line, as the adapter runs one from its configuration with defaults. */
    private MetricInfo configured(MetricKey key) {
        var trigger = new TriggerSpec.Interval(TriggerSpec.DEFAULT_INTERVAL);
        return new MetricInfo(key, config.name(), trigger, trigger.defaultMaxAge(), OnErrorPolicy.error());
    }

    // ---- Fetch

    /** Fetches {@code as} as the adapter would; whether it answered a value the adapter serves. */
    private boolean fetch(MetricInfo metric, MetricKey as) {
        Duration deadline = ProviderRules.fetchDeadline(metric, config);
        long started = System.nanoTime();
        try {
            FetchResponse reply = stub(deadline).fetch(request(as));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            add(Rule.DEADLINE.passed(as.toString(), "answered in " + millis(took) + " of its "
                    + Durations.format(deadline) + " deadline"));
            return checkReply(metric, as, reply);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                add(Rule.DEADLINE.broken(as.toString(), "no answer within the " + Durations.format(deadline)
                        + " deadline the adapter sets (" + deadlineWhy(metric) + "): answer sooner, e.g. from a value"
                        + " computed in the background, or raise the provider's deadline in the adapter's "
                        + "configuration (--deadline here)"));
            } else {
                add(Rule.FETCH.broken(as.toString(), "Fetch answered " + describe(e.getStatus())
                        + ": a metric Describe lists (or --metric names) must answer a value"));
            }
            return false;
        }
    }

    /** A {@code *} metric under a concrete namespace: a valid value, or NOT_FOUND ("no such metric here"). */
    private void fetchNamespaced(MetricInfo metric) {
        var as = new MetricKey(CONCRETE_NAMESPACE, metric.key().name());
        Duration deadline = ProviderRules.fetchDeadline(metric, config);
        try {
            FetchResponse reply = stub(deadline).fetch(request(as));
            Optional<String> problem = ProviderRules.fetchReply(as.name(), reply, clock.instant(), config).problem();
            if (problem.isPresent()) {
                add(replyRule(problem.get()).broken(as.toString(), "the reply under namespace \"" + CONCRETE_NAMESPACE
                        + "\" would be rejected: " + problem.get()));
            } else {
                add(Rule.FETCH_NAMESPACED.passed(as.toString(),
                        "answers a valid value under a concrete namespace too"));
            }
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                add(Rule.DEADLINE.broken(as.toString(), "no answer within the " + Durations.format(deadline)
                        + " deadline the adapter sets (" + deadlineWhy(metric) + "), under a concrete namespace: "
                        + "answer a value, or NOT_FOUND, within it"));
            } else if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                add(Rule.FETCH_NAMESPACED.passed(as.toString(), "NOT_FOUND under a concrete namespace: the adapter "
                        + "reads " + metric.key() + " for every namespace"));
            } else {
                add(Rule.FETCH_NAMESPACED.broken(as.toString(), "Fetch of " + metric.key().name()
                        + " under namespace \"" + CONCRETE_NAMESPACE + "\" answered " + describe(e.getStatus())
                        + ": answer a value, or NOT_FOUND when the metric is registered only in \"*\" (an adapter "
                        + "configured with that namespace asks for it there)"));
            }
        }
    }

    private boolean checkReply(MetricInfo metric, MetricKey as, FetchResponse reply) {
        Instant receivedAt = clock.instant();
        ProviderRules.Reply verdict = ProviderRules.fetchReply(as.name(), reply, receivedAt, config);
        if (verdict.problem().isPresent()) {
            String problem = verdict.problem().get();
            add(replyRule(problem).broken(as.toString(), "the adapter rejects this reply and serves nothing: "
                    + problem));
            return false;
        }
        add(Rule.REPLY.passed(as.toString(), "the adapter serves this reply ("
                + (reply.hasValue() ? "a value, " : "no value, ") + reply.getSeriesCount() + " series): finite values,"
                + " label syntax, distinct label sets, limits and observed_at checked"));
        verdict.observedTooFarAhead().ifPresent(ahead -> add(Rule.CLOCK_SKEW.broken(as.toString(),
                "observed_at is " + Durations.format(ahead.truncatedTo(ChronoUnit.MILLIS)) + " ahead of this "
                        + "machine's clock, beyond the allowance of " + Durations.format(config.maxClockSkew())
                        + ": the adapter uses the time of receipt instead. Sync the provider's clock (NTP), or give "
                        + "the time the value was observed")));
        verdict.observedByProvider().map(observed -> Duration.between(observed, receivedAt))
                .filter(age -> age.compareTo(metric.maxAge()) > 0)
                .ifPresent(age -> add(Rule.REPLY_FRESH.broken(as.toString(), "observed_at is "
                        + Durations.format(age.truncatedTo(ChronoUnit.SECONDS)) + " old, beyond the metric's max age "
                        + "of " + Durations.format(metric.maxAge()) + ": the adapter serves it as stale from its "
                        + "first fetch. Give the time the value was observed, in seconds (not milliseconds) since "
                        + "the epoch")));
        return true;
    }

    /** The rule a rejected reply broke, from the adapter's message (FetchResponses keeps its messages). */
    static Rule replyRule(String problem) {
        if (problem.contains("only finite numbers")) {
            return Rule.REPLY_FINITE;
        }
        if (problem.contains("label key") || problem.contains(": label \"")) {
            return Rule.REPLY_LABELS;
        }
        if (problem.contains("repeats the labels")) {
            return Rule.REPLY_UNIQUE_SERIES;
        }
        if (problem.contains("more than the limit")) {
            return Rule.REPLY_LIMITS;
        }
        if (problem.startsWith("observed_at")) {
            return Rule.REPLY_OBSERVED_AT;
        }
        if (problem.startsWith("window")) {
            return Rule.REPLY_WINDOW;
        }
        return Rule.REPLY;
    }

    private void notFound() {
        var unknown = new MetricKey(MetricKey.ALL_NAMESPACES, UNKNOWN_METRIC);
        try {
            stub(config.deadline()).fetch(request(unknown));
            add(Rule.NOT_FOUND.broken(unknown.toString(), "Fetch of a metric this provider does not serve answered"
                    + " OK: answer NOT_FOUND, or the adapter (configured with a misspelt name) serves a value "
                    + "nobody computes"));
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            if (status.getCode() != Status.Code.NOT_FOUND) {
                add(Rule.NOT_FOUND.broken(unknown.toString(), "Fetch of a metric this provider does not serve "
                        + "answered " + describe(status) + ": answer NOT_FOUND (\"no such metric here\")"));
                return;
            }
            add(Rule.NOT_FOUND.passed(unknown.toString(), "NOT_FOUND"));
            if (status.getDescription() == null || status.getDescription().isBlank()) {
                add(Rule.ERROR_MESSAGE.broken(unknown.toString(), "NOT_FOUND came without a message: say which "
                        + "metric is missing and which ones are served; the HPA's user reads it in kubectl describe"));
            } else {
                add(Rule.ERROR_MESSAGE.passed(unknown.toString(), "\"" + StatusJson.abbreviate(status.getDescription())
                        + "\""));
            }
        }
    }

    /** Two Fetches of one metric at once: the adapter's replicas, and its other metrics, overlap. */
    private void concurrent(MetricInfo metric) throws InterruptedException {
        Duration deadline = ProviderRules.fetchDeadline(metric, config);
        var start = new CountDownLatch(1);
        List<Future<FetchResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            calls.add(executor.submit(() -> {
                start.await();
                return stub(deadline).fetch(request(metric.key()));
            }));
        }
        start.countDown();
        List<String> problems = new ArrayList<>();
        for (Future<FetchResponse> call : calls) {
            try {
                FetchResponse reply = call.get();
                ProviderRules.fetchReply(metric.key().name(), reply, clock.instant(), config).problem()
                        .ifPresent(p -> problems.add("a reply the adapter rejects: " + p));
            } catch (ExecutionException e) {
                problems.add(e.getCause() instanceof StatusRuntimeException s
                        ? describe(s.getStatus()) : e.getCause().toString());
            }
        }
        if (problems.isEmpty()) {
            add(Rule.CONCURRENT.passed(metric.key().toString(), "two concurrent Fetches both answered valid values"));
        } else {
            add(Rule.CONCURRENT.broken(metric.key().toString(), "of two concurrent Fetches within the "
                    + Durations.format(deadline) + " deadline, " + String.join("; ", problems)
                    + ": serve calls in parallel (a thread or task per call) and keep shared state thread-safe"));
        }
    }

    // ---- helpers

    private MetricProviderGrpc.MetricProviderBlockingStub stub(Duration deadline) {
        return MetricProviderGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static FetchRequest request(MetricKey key) {
        return FetchRequest.newBuilder().setMetric(ProviderRules.ref(key)).build();
    }

    private String deadlineWhy(MetricInfo metric) {
        return metric.trigger() instanceof TriggerSpec.Interval interval
                && ProviderRules.fetchDeadline(metric, config).compareTo(config.deadline()) < 0
                ? "half the " + Durations.format(interval.period()) + " interval"
                : "the provider's deadline";
    }

    private static String millis(Duration d) {
        return Durations.format(d.truncatedTo(ChronoUnit.MILLIS).isZero() ? d.truncatedTo(ChronoUnit.MICROS)
                : d.truncatedTo(ChronoUnit.MILLIS));
    }

    /** A status as a user reads it: its code, and its description quoted when it has one. */
    static String describe(Status status) {
        String description = status.getDescription();
        return status.getCode() + (description == null || description.isBlank() ? ""
                : " (\"" + StatusJson.abbreviate(description) + "\")");
    }

    private void add(Finding finding) {
        findings.add(finding);
    }
}
