package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.config.MetricConfig;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.config.ScalerMetric;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.adapter.logging.RateLimitedLog;
import io.externalmetrics.proto.keda.ExternalScalerGrpc;
import io.externalmetrics.proto.keda.GetMetricSpecResponse;
import io.externalmetrics.proto.keda.GetMetricsRequest;
import io.externalmetrics.proto.keda.GetMetricsResponse;
import io.externalmetrics.proto.keda.IsActiveResponse;
import io.externalmetrics.proto.keda.MetricSpec;
import io.externalmetrics.proto.keda.MetricValue;
import io.externalmetrics.proto.keda.ScaledObjectRef;
import io.externalmetrics.proto.v1.FetchResponse;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * A KEDA external scaler ({@code externalscaler.ExternalScaler}): it serves exactly the configured
 * metrics, each sent with its {@code scaledObjectRef}. {@code GetMetricSpec} tells each metric's
 * scaler name and target (for the inventory, and the default {@code scalerMetricName});
 * {@code GetMetrics} gives a value; a {@code StreamIsActive} stream, when the scaler has it, makes
 * each of its messages a fetch, as Watch events do. Metrics that share a {@code scaledObjectRef}
 * share its GetMetricSpec call and its stream, as KEDA asks once per ScaledObject.
 *
 * <p>Learning and streams change state in the provider's {@link SynchronizationContext} only; the
 * learned names are published in a volatile map for the fetchers.
 */
final class KedaScalerSource implements MetricSource {

    // the runtime's logger: operators find every line about a provider's run time under one name
    private static final System.Logger LOG = System.getLogger(ProviderRuntime.class.getName());

    private final ProviderConfig config;
    private final ExternalScalerGrpc.ExternalScalerStub stub;
    private final ExternalScalerGrpc.ExternalScalerBlockingStub blocking;
    private final SynchronizationContext sync;
    private final ScheduledExecutorService scheduler;
    private final Executor fetchExecutor; // runs each fetch's blocking calls
    private final LongSupplier ticker;
    private final Backoff backoff;
    private final Listener listener;
    private final RateLimitedLog log;
    // filled once, in the constructor: the metrics, and the scaledObjectRef each is sent with
    private final Map<MetricKey, MetricConfig> metrics = new LinkedHashMap<>();
    private final Map<MetricKey, ScaledObjectRef> refs = new HashMap<>();

    // published for the fetchers: each metric's scaler name, as GetMetricSpec last told it, and the metrics
    // whose GetMetricSpec named none (they fail at once until it does, instead of asking it each tick)
    private volatile Map<MetricKey, String> learned = Map.of();
    private volatile Set<MetricKey> nameless = Set.of();

    // confined to sync
    private int generation; // of learn(): answers to an older one are ignored
    private final Map<MetricKey, String> lines = new LinkedHashMap<>(); // each metric's inventory line
    private Optional<SynchronizationContext.ScheduledHandle> retry = Optional.empty();
    private final Map<ScaledObjectRef, ActivityStream> streams = new HashMap<>();
    private boolean unimplemented;

    KedaScalerSource(ProviderConfig config, Channel channel, SynchronizationContext sync,
                     ProviderManager.Environment env, Backoff backoff, Listener listener) {
        this.config = config;
        this.stub = ExternalScalerGrpc.newStub(channel);
        this.blocking = ExternalScalerGrpc.newBlockingStub(channel);
        this.sync = sync;
        this.scheduler = env.scheduler();
        this.fetchExecutor = env.fetchExecutor();
        this.ticker = env.ticker();
        this.backoff = backoff;
        this.listener = listener;
        this.log = new RateLimitedLog(LOG, RateLimitedLog.INTERVAL, env.ticker());
        config.metrics().forEach(metric -> {
            metrics.put(metric.key(), metric);
            refs.put(metric.key(), ref(metric.scaler().orElseThrow()));
        });
    }

    static ScaledObjectRef ref(ScalerMetric scaler) {
        return ScaledObjectRef.newBuilder().setName(scaler.name()).setNamespace(scaler.namespace())
                .putAllScalerMetadata(scaler.metadata()).build();
    }

    // ---- learning: GetMetricSpec of every distinct scaledObjectRef

    @Override
    public void learn() {
        sync.throwIfNotInThisSynchronizationContext();
        retry.ifPresent(SynchronizationContext.ScheduledHandle::cancel);
        retry = Optional.empty();
        call(0);
    }

    private void call(int attempt) {
        call(attempt, List.copyOf(metrics.values()));
    }

    /**
     * One round of GetMetricSpec for {@code asked}: one call per distinct {@code scaledObjectRef}, as KEDA
     * asks once per ScaledObject, its answer or failure applying to every metric with that ref; a retry
     * asks only the refs whose call failed.
     */
    private void call(int attempt, List<MetricConfig> asked) {
        int current = ++generation;
        // protobuf messages are equal by value: equal refs are one call
        List<ScaledObjectRef> distinct = asked.stream().map(m -> refs.get(m.key())).distinct().toList();
        Map<ScaledObjectRef, GetMetricSpecResponse> answers = new HashMap<>();
        Map<ScaledObjectRef, String> failures = new HashMap<>();
        for (ScaledObjectRef ref : distinct) {
            stub.withDeadlineAfter(config.deadline().toNanos(), TimeUnit.NANOSECONDS)
                    .getMetricSpec(ref, new StreamObserver<>() {
                        private GetMetricSpecResponse reply = GetMetricSpecResponse.getDefaultInstance();

                        @Override
                        public void onNext(GetMetricSpecResponse value) {
                            reply = value;
                        }

                        @Override
                        public void onError(Throwable error) {
                            String why = Failures.describe(error);
                            sync.execute(() -> {
                                failures.put(ref, why);
                                settled(current, attempt, asked, distinct.size(), answers, failures);
                            });
                        }

                        @Override
                        public void onCompleted() {
                            GetMetricSpecResponse answer = reply;
                            sync.execute(() -> {
                                answers.put(ref, answer);
                                settled(current, attempt, asked, distinct.size(), answers, failures);
                            });
                        }
                    });
        }
    }

    /**
     * Once each of the round's {@code distinct} refs answered or failed: what was learned is published at
     * once (one scaler refusing one ref does not hold back the others), and the failed refs are asked again
     * with backoff.
     */
    private void settled(int call, int attempt, List<MetricConfig> asked, int distinct,
                         Map<ScaledObjectRef, GetMetricSpecResponse> answers, Map<ScaledObjectRef, String> failures) {
        if (call != generation || answers.size() + failures.size() < distinct) {
            return;
        }
        generation++; // this round is over
        Map<MetricKey, String> names = new LinkedHashMap<>(learned);
        Set<MetricKey> withoutName = new HashSet<>(nameless);
        List<MetricConfig> failed = new ArrayList<>();
        for (MetricConfig m : asked) {
            ScaledObjectRef ref = refs.get(m.key());
            GetMetricSpecResponse answer = answers.get(ref);
            if (answer == null) {
                lines.put(m.key(), "metric " + m.key() + ": GetMetricSpec failed: " + failures.get(ref));
                failed.add(m);
                continue;
            }
            List<MetricSpec> specs = answer.getMetricSpecsList();
            Optional<String> name = m.scaler().orElseThrow().metricName().or(() -> defaultName(specs));
            name.ifPresentOrElse(n -> names.put(m.key(), n), () -> names.remove(m.key()));
            if (name.isPresent()) {
                withoutName.remove(m.key());
            } else {
                withoutName.add(m.key());
            }
            lines.put(m.key(), describe(m, name, specs));
        }
        learned = Map.copyOf(names);
        nameless = Set.copyOf(withoutName);
        if (!failed.isEmpty()) {
            String why = failed.size() + " of " + metrics.size() + " metrics; " + String.join("; ",
                    failed.stream().map(m -> lines.get(m.key())).toList());
            if (attempt == 0) {
                log.log(Level.WARNING, "failed", "provider \"" + config.name() + "\" at " + config.target()
                        + ": GetMetricSpec failed (" + why + "); retrying those");
            }
            listener.failing(why);
            retry = Optional.of(sync.schedule(() -> call(attempt + 1, failed), backoff.delay(attempt), scheduler));
            return;
        }
        try {
            listener.learned(DescribeResponses.configured(config), "GetMetricSpec ok: " + metrics.size()
                    + " metrics; " + String.join("; ", lines.values()));
        } catch (RuntimeException e) {
            log.log(Level.ERROR, "learn failed", "provider \"" + config.name() + "\": applying its GetMetricSpec "
                    + "replies failed; retrying with backoff", e);
            listener.failing(Failures.describe(e));
            retry = Optional.of(sync.schedule(() -> call(attempt + 1), backoff.delay(attempt), scheduler));
        }
    }

    /** The scaler metric name a metric without {@code scalerMetricName} asks for: the first one listed. */
    static Optional<String> defaultName(List<MetricSpec> specs) {
        return specs.stream().map(MetricSpec::getMetricName).filter(n -> !n.isEmpty()).findFirst();
    }

    /** One metric's line in the inventory: the scaler's name for it, its target, and what GetMetricSpec listed. */
    static String describe(MetricConfig metric, Optional<String> name, List<MetricSpec> specs) {
        if (name.isEmpty()) {
            return "metric " + metric.key() + ": GetMetricSpec lists no metric name, and no scalerMetricName "
                    + "is configured";
        }
        Optional<MetricSpec> spec = specs.stream().filter(s -> s.getMetricName().equals(name.get())).findFirst();
        return "metric " + metric.key() + " is scaler metric \"" + StatusJson.abbreviate(name.get()) + "\""
                + spec.map(s -> " (target " + target(s) + ")").orElseGet(() -> ", which GetMetricSpec does not list "
                        + listed(specs));
    }

    /** Most specs a line names: a scaler may list thousands, and the line goes to every inventory. */
    static final int MAX_LISTED_SPECS = 10;

    /** The specs GetMetricSpec listed, as a line names them: the first {@value #MAX_LISTED_SPECS}, then a count. */
    private static String listed(List<MetricSpec> specs) {
        String first = specs.stream().limit(MAX_LISTED_SPECS)
                .map(s -> "\"" + StatusJson.abbreviate(s.getMetricName()) + "\" target " + target(s))
                .collect(Collectors.joining(", ", "[", ""));
        return first + (specs.size() > MAX_LISTED_SPECS ? " and " + (specs.size() - MAX_LISTED_SPECS) + " more]" : "]");
    }

    /** A spec's target as KEDA reads it: targetSizeFloat when above zero, else targetSize. */
    static String target(MetricSpec spec) {
        double target = spec.getTargetSizeFloat() > 0 ? spec.getTargetSizeFloat() : spec.getTargetSize();
        return target == Math.rint(target) && Math.abs(target) < 1e15
                ? Long.toString((long) target) : Double.toString(target);
    }

    // ---- fetching: GetMetrics

    /**
     * KEDA's fetches: GetMetrics, after GetMetricSpec when the name is not known yet. They are two calls in
     * turn, so each fetch runs as blocking calls on the fetch executor (a virtual thread), which hears it end.
     */
    @Override
    public Fetchers fetchers() {
        ReplyRules replies = ReplyRules.of(config);
        return info -> {
            ScalerMetric scaler = metrics.get(info.key()).scaler().orElseThrow();
            ScaledObjectRef ref = refs.get(info.key());
            return (timeout, done) -> fetchExecutor.execute(() -> {
                GetMetricsResponse reply;
                String name;
                try {
                    // one deadline for the fetch, also when it has to ask GetMetricSpec first
                    Deadline deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
                    name = scalerMetricName(info.key(), scaler, ref, deadline);
                    reply = blocking.withDeadline(deadline).getMetrics(GetMetricsRequest.newBuilder()
                            .setScaledObjectRef(ref).setMetricName(name).build());
                } catch (RuntimeException | Error e) { // out of memory too: the fetch fails, and is retried
                    done.failed(e);
                    return;
                }
                done.replied(new Reply() {
                    @Override
                    public Sample toSample(Instant receivedAt) {
                        return FetchResponses.toSample(info.key().name(), toFetchResponse(name, reply), receivedAt,
                                replies);
                    }

                    @Override
                    public long bytes() {
                        return reply.getSerializedSize();
                    }
                });
            });
        };
    }

    /**
     * The name to ask GetMetrics for: configured, else learned; before GetMetricSpec answered, it is
     * asked here, so a metric's first value does not wait for the round of every metric's spec.
     */
    private String scalerMetricName(MetricKey key, ScalerMetric scaler, ScaledObjectRef ref, Deadline deadline) {
        if (scaler.metricName().isPresent()) {
            return scaler.metricName().get();
        }
        String known = learned.get(key);
        if (known != null) {
            return known;
        }
        if (nameless.contains(key)) {
            throw noName();
        }
        GetMetricSpecResponse spec = blocking.withDeadline(deadline).getMetricSpec(ref);
        return defaultName(spec.getMetricSpecsList()).orElseThrow(KedaScalerSource::noName);
    }

    private static InvalidReplyException noName() {
        return new InvalidReplyException("GetMetricSpec lists no metric name (configure scalerMetricName)");
    }

    /**
     * A GetMetrics reply as our contract's reply: the value named {@code name}, else the only one;
     * {@code metricValueFloat} when above zero, else {@code metricValue}, as KEDA reads them.
     */
    static FetchResponse toFetchResponse(String name, GetMetricsResponse reply) {
        List<MetricValue> values = reply.getMetricValuesList();
        MetricValue value = values.stream().filter(v -> v.getMetricName().equals(name)).findFirst()
                .or(() -> values.size() == 1 ? Optional.of(values.get(0)) : Optional.empty())
                .orElseThrow(() -> new InvalidReplyException(values.isEmpty()
                        ? "GetMetrics returned no metric values"
                        : "GetMetrics returned no value named \"" + StatusJson.abbreviate(name) + "\" among "
                                + values.size() + " values"));
        // KEDA's rule (pkg/scalers/external_scaler.go): the float when above zero, else the integer
        double number = value.getMetricValueFloat() > 0 ? value.getMetricValueFloat() : value.getMetricValue();
        return FetchResponse.newBuilder().setValue(number).build();
    }

    // ---- watching: StreamIsActive per distinct scaledObjectRef

    @Override
    public boolean watches(MetricInfo info) {
        return metrics.containsKey(info.key());
    }

    @Override
    public void watch(Collection<MetricInfo> served) {
        sync.throwIfNotInThisSynchronizationContext();
        stopStreams("metrics changed");
        unimplemented = false;
        // one stream per ScaledObject, as KEDA opens it: a scaler's restart is then one reconnect per ref
        Map<ScaledObjectRef, List<MetricKey>> keysByRef = served.stream().filter(this::watches).map(MetricInfo::key)
                .collect(Collectors.groupingBy(refs::get, LinkedHashMap::new, Collectors.toList()));
        keysByRef.forEach((ref, keys) -> {
            var stream = new ActivityStream(ref, keys);
            streams.put(ref, stream);
            stream.open(0);
        });
    }

    @Override
    public boolean watchUnimplemented() {
        sync.throwIfNotInThisSynchronizationContext();
        return unimplemented;
    }

    @Override
    public void stop(String why) {
        sync.throwIfNotInThisSynchronizationContext();
        generation++;
        retry.ifPresent(SynchronizationContext.ScheduledHandle::cancel);
        retry = Optional.empty();
        stopStreams(why);
    }

    private void stopStreams(String why) {
        List<ActivityStream> ending = List.copyOf(streams.values());
        streams.clear(); // before the cancels: their CANCELLED are then stale callbacks
        ending.forEach(stream -> stream.cancel(why));
    }

    /**
     * One ref's StreamIsActive: every message is a change of each of its metrics; reopened with backoff
     * when it ends, the backoff starting over once a stream stayed up as long as {@link WatchSession}'s rule says.
     */
    private final class ActivityStream {
        private final ScaledObjectRef ref;
        private final List<MetricKey> keys;
        private final Duration stableAfter = WatchSession.stableAfter(config.retry().max());
        // confined to sync
        private Call current;
        private SynchronizationContext.ScheduledHandle reopen;

        ActivityStream(ScaledObjectRef ref, List<MetricKey> keys) {
            this.ref = ref;
            this.keys = List.copyOf(keys);
        }

        void open(int failed) {
            reopen = null;
            if (failed > 0) {
                listener.watchReconnecting();
            }
            current = new Call(failed, ticker.getAsLong());
            stub.streamIsActive(ref, current);
            listener.watchOpened(keys);
        }

        void cancel(String why) {
            if (reopen != null) {
                reopen.cancel();
                reopen = null;
            }
            Call ending = current;
            current = null;
            if (ending != null && ending.call != null) {
                ending.call.cancel(why, null);
            }
        }

        private void ended(Call call, Optional<Throwable> error) {
            if (call != current || streams.get(ref) != this) {
                return; // replaced or stopped
            }
            current = null;
            if (error.isPresent() && Status.fromThrowable(error.get()).getCode() == Status.Code.UNIMPLEMENTED) {
                LOG.log(Level.INFO, "provider \"{0}\" does not implement StreamIsActive: its metrics are fetched "
                        + "on their interval only; it is asked again when the scaler reconnects", config.name());
                unimplemented = true;
                stopStreams("StreamIsActive is not implemented");
                return;
            }
            boolean stayedUp = ticker.getAsLong() - call.openedAt >= Backoff.nanos(stableAfter);
            int failedBefore = stayedUp ? 0 : call.failed;
            if (failedBefore == 0) {
                // one line per provider every 30 s with a count: a scaler's restart ends every ref's stream
                log.log(Level.WARNING, "stream ended", "provider \"" + config.name() + "\": StreamIsActive of "
                        + (keys.size() == 1 ? "metric " + keys.getFirst() : "metrics " + keys)
                        + (error.isPresent() ? " broke (" + Failures.describe(error.get()) + ")" : " ended")
                        + "; reconnecting with backoff (until a stream stays up for "
                        + Durations.format(stableAfter) + ", further ends are not logged)");
            }
            reopen = sync.schedule(() -> open(failedBefore + 1), backoff.delay(failedBefore), scheduler);
        }

        /** One stream's callbacks; its ends are posted to the context. */
        private final class Call implements ClientResponseObserver<ScaledObjectRef, IsActiveResponse> {
            private final int failed;
            private final long openedAt;
            private ClientCallStreamObserver<ScaledObjectRef> call; // set in beforeStart, in the context

            Call(int failed, long openedAt) {
                this.failed = failed;
                this.openedAt = openedAt;
            }

            @Override
            public void beforeStart(ClientCallStreamObserver<ScaledObjectRef> call) {
                this.call = call;
            }

            @Override
            public void onNext(IsActiveResponse value) {
                keys.forEach(listener::changed);
            }

            @Override
            public void onError(Throwable error) {
                sync.execute(() -> ended(this, Optional.of(error)));
            }

            @Override
            public void onCompleted() {
                sync.execute(() -> ended(this, Optional.empty()));
            }
        }
    }

    @Override
    public String toString() {
        return "kedaExternalScaler " + config.name();
    }
}
