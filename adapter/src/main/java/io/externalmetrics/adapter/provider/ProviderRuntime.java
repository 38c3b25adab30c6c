package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.config.Durations;
import io.externalmetrics.adapter.config.MetricConfig;
import io.externalmetrics.adapter.config.MetricNames;
import io.externalmetrics.adapter.config.OnErrorPolicy;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.config.TriggerSpec;
import io.externalmetrics.adapter.k8s.LabelRules;
import io.externalmetrics.proto.v1.DescribeRequest;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.MetricDescriptor;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.MetricRef;
import io.externalmetrics.proto.v1.WatchEvent;
import io.externalmetrics.proto.v1.WatchRequest;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One provider at run time: learns its metrics (Describe, else configuration), schedules interval
 * fetches, keeps a Watch stream open for push metrics, and reconnects with backoff.
 */
final class ProviderRuntime implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ProviderRuntime.class.getName());
    /** Concurrent fetches per provider: a slow provider queues its own fetches, nobody else's. */
    static final int MAX_CONCURRENT_FETCHES = 32;
    /**
     * The shortest interval Describe may give, the shortest tick and the shortest Fetch deadline: a
     * call cannot even reach a provider in less, so a shorter one would only ever time out.
     */
    static final Duration MIN_PERIOD = Duration.ofMillis(10);
    /**
     * How long a Watch stream must stay open to count as working and start the backoff over (the
     * provider's retry max when that is longer). "It delivered an event" is no test: providers open
     * every stream with one. At least the retry max, so a stream that keeps breaking is reopened no
     * more often than a fully backed-off retry; at least 30s, so whatever the retry settings, such a
     * provider costs a few reconnects a minute and one log line per run of failures.
     */
    static final Duration MIN_STABLE_WATCH = Duration.ofSeconds(30);

    private final ProviderConfig config;
    private final ManagedChannel channel;
    private final MetricProviderGrpc.MetricProviderBlockingStub blockingStub;
    private final MetricProviderGrpc.MetricProviderStub asyncStub;
    private final MetricCache cache;
    private final ScheduledExecutorService scheduler;
    private final Executor fetchExecutor;
    private final Backoff backoff;
    private final Duration stableWatch;
    private final MetricRefresher.Context refresherContext;
    private final Runnable released;

    private final ReentrantLock lock = new ReentrantLock();
    // written under lock; read anywhere (an immutable map, replaced whole)
    private volatile Map<MetricKey, MetricRefresher> refreshers = Map.of();
    // guarded by lock
    private final Map<MetricKey, ScheduledFuture<?>> ticks = new HashMap<>();
    private List<MetricInfo> applied = List.of(); // the set last given to apply()
    private ClientCallStreamObserver<WatchRequest> watchCall;
    private int watchGeneration;
    private boolean watchUnimplemented; // the current generation's stream answered UNIMPLEMENTED
    private int describeGeneration;
    private boolean closed;

    private volatile boolean reached;
    private volatile boolean unavailable;
    private volatile String describeStatus = "not called yet";
    private volatile List<String> clashes = List.of(); // metrics not served: another provider holds them

    /**
     * @param released called, outside this runtime's lock, after it gave up metrics (stopped serving
     *     some, or closed): another provider may now take over one it lost to this one in a clash
     */
    ProviderRuntime(ProviderConfig config, ManagedChannel channel, MetricCache cache,
                    ScheduledExecutorService scheduler, Executor fetchExecutor, Clock clock, Runnable released) {
        this.config = config;
        this.channel = channel;
        this.blockingStub = MetricProviderGrpc.newBlockingStub(channel);
        this.asyncStub = MetricProviderGrpc.newStub(channel);
        this.cache = cache;
        this.scheduler = scheduler;
        this.fetchExecutor = fetchExecutor;
        this.released = released;
        this.backoff = Backoff.of(config.retry());
        this.stableWatch = config.retry().max().compareTo(MIN_STABLE_WATCH) > 0
                ? config.retry().max() : MIN_STABLE_WATCH;
        this.refresherContext = new MetricRefresher.Context(blockingStub, cache, fetchExecutor, scheduler,
                new Semaphore(MAX_CONCURRENT_FETCHES), clock, backoff,
                ReplyRules.of(config), new MetricRefresher.Listener() {
                    @Override
                    public void succeeded() {
                        reached = true;
                        unavailable = false;
                    }

                    @Override
                    public void failed(Status.Code code) {
                        if (code == Status.Code.UNAVAILABLE && !unavailable) {
                            unavailable = true;
                            // gRPC's own reconnect backoff grows to two minutes; ours decides when to retry
                            channel.resetConnectBackoff();
                        }
                    }
                });
    }

    ProviderConfig config() {
        return config;
    }

    /** Whether the provider has answered at least once (Describe or a Fetch). */
    boolean reached() {
        return reached;
    }

    /** How Describe went, for the inventory. */
    String describeStatus() {
        List<String> lost = clashes;
        return lost.isEmpty() ? describeStatus : describeStatus + "; " + String.join("; ", lost);
    }

    /**
     * Registers again the metrics this provider lost in clashes, now that another provider may have
     * given them up; a no-op when it lost none. Asynchronous: the caller may hold other locks.
     */
    void reclaim() {
        if (clashes.isEmpty()) {
            return;
        }
        try {
            fetchExecutor.execute(() -> {
                List<MetricInfo> metrics;
                lock.lock();
                try {
                    metrics = applied;
                } finally {
                    lock.unlock();
                }
                apply(metrics);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Starts learning the metrics; returns at once. */
    void start() {
        if (!config.metrics().isEmpty()) {
            // serve the configured metrics (and their errors) until Describe says otherwise
            apply(fromConfig());
        }
        int generation = nextDescribeGeneration();
        fetchExecutor.execute(() -> describe(generation, 0));
        watchConnectivity(channel.getState(false), false);
    }

    /**
     * Follows the channel's state: each return to READY after a loss (provider restarted, network
     * back) asks Describe again, since metrics may have changed, and fetches every metric at once.
     */
    private void watchConnectivity(ConnectivityState last, boolean wasReady) {
        if (isClosed()) {
            return;
        }
        ConnectivityState now = channel.getState(false);
        if (now == ConnectivityState.SHUTDOWN) {
            return;
        }
        boolean ready = now == ConnectivityState.READY;
        if (ready && last != ConnectivityState.READY && wasReady) {
            LOG.log(Level.INFO, "provider \"{0}\" at {1} is reachable again: describing and fetching its metrics",
                    config.name(), config.target());
            unavailable = false;
            fetchExecutor.execute(this::reconnected);
        }
        channel.notifyWhenStateChanged(now, () -> watchConnectivity(now, wasReady || ready));
    }

    private void reconnected() {
        List<MetricRefresher> current;
        lock.lock();
        try {
            current = List.copyOf(refreshers.values());
            if (watchUnimplemented) {
                restartWatch(); // the provider may have restarted with a newer version that has Watch
            }
        } finally {
            lock.unlock();
        }
        current.forEach(MetricRefresher::retryNow);
        int generation = nextDescribeGeneration();
        describe(generation, 0);
    }

    private int nextDescribeGeneration() {
        lock.lock();
        try {
            return ++describeGeneration;
        } finally {
            lock.unlock();
        }
    }

    /** Fetch counts per metric, for tests and the inventory. */
    Map<MetricKey, Long> fetchCounts() {
        lock.lock();
        try {
            var counts = new HashMap<MetricKey, Long>();
            refreshers.forEach((key, refresher) -> counts.put(key, refresher.fetches()));
            return counts;
        } finally {
            lock.unlock();
        }
    }

    private void describe(int generation, int attempt) {
        lock.lock();
        try {
            if (closed || generation != describeGeneration) {
                return; // a newer Describe (after a reconnect) supersedes this one
            }
        } finally {
            lock.unlock();
        }
        try {
            DescribeResponse reply = blockingStub
                    .withDeadlineAfter(config.deadline().toNanos(), TimeUnit.NANOSECONDS)
                    .describe(DescribeRequest.getDefaultInstance());
            reached = true;
            Described described = fromDescribe(reply);
            apply(described.metrics());
            describeStatus = described.status();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                reached = true;
                describeStatus = "not implemented: using the " + config.metrics().size() + " configured metrics";
                if (config.metrics().isEmpty()) {
                    LOG.log(Level.WARNING, "provider \"{0}\" does not implement Describe and no metrics are "
                            + "configured for it: it serves nothing", config.name());
                }
                apply(fromConfig());
                return;
            }
            if (attempt == 0) {
                LOG.log(Level.WARNING, "provider \"{0}\" at {1}: Describe failed ({2}); retrying",
                        config.name(), config.target(), Failures.describe(e));
            }
            retryDescribe(generation, attempt, e);
        } catch (RuntimeException e) {
            // a reply we did not foresee, or a bug: retried like a failed call, the stack trace logged once
            if (attempt == 0) {
                LOG.log(Level.ERROR, "provider \"" + config.name() + "\": applying its Describe reply failed; "
                        + "retrying with backoff", e);
            }
            retryDescribe(generation, attempt, e);
        }
    }

    private void retryDescribe(int generation, int attempt, RuntimeException failure) {
        describeStatus = "failing: " + Failures.describe(failure);
        schedule(() -> fetchExecutor.execute(() -> describe(generation, attempt + 1)), backoff.delay(attempt));
    }

    private List<MetricInfo> fromConfig() {
        List<MetricInfo> metrics = new ArrayList<>();
        for (MetricConfig metric : config.metrics()) {
            MetricKey key = new MetricKey(metric.namespace(), metric.name());
            metrics.add(new MetricInfo(key, config.name(), metric.trigger(),
                    metric.maxAge().orElseGet(() -> defaultMaxAge(metric.trigger())), metric.onError()));
        }
        return metrics;
    }

    /**
     * The metrics a Describe reply gives, and the entries skipped as unusable.
     *
     * @param metrics the usable metrics
     * @param skipped each skipped entry, naming the metric and why
     */
    private record Described(List<MetricInfo> metrics, List<String> skipped) {

        /** How Describe went, for the inventory: where a skipped metric's user looks for why it is a 404. */
        String status() {
            String ok = "ok: " + metrics.size() + " metrics";
            return skipped.isEmpty() ? ok : ok + "; skipped " + skipped.size() + ": " + String.join("; ", skipped);
        }
    }

    private Described fromDescribe(DescribeResponse reply) {
        Map<MetricKey, MetricConfig> configured = new HashMap<>();
        for (MetricConfig metric : config.metrics()) {
            configured.put(new MetricKey(metric.namespace(), metric.name()), metric);
        }
        Map<MetricKey, MetricInfo> metrics = new HashMap<>();
        List<String> skipped = new ArrayList<>();
        for (MetricDescriptor descriptor : reply.getMetricsList()) {
            Optional<String> problem = problem(descriptor);
            if (problem.isPresent()) {
                MetricRef ref = descriptor.getMetric();
                String which = "metric \"" + Failures.abbreviate(ref.getName()) + "\" in namespace \""
                        + Failures.abbreviate(ref.getNamespace()) + "\"";
                LOG.log(Level.WARNING, "provider \"{0}\": Describe lists {1}, which cannot be served: {2}; skipping it",
                        config.name(), which, problem.get());
                skipped.add(which + ": " + problem.get());
                continue;
            }
            MetricKey key = Protos.key(descriptor.getMetric());
            Optional<MetricConfig> local = Optional.ofNullable(configured.get(key));
            TriggerSpec trigger = switch (descriptor.getTriggerCase()) {
                case INTERVAL -> new TriggerSpec.Interval(Protos.duration(descriptor.getInterval()));
                case PUSH -> new TriggerSpec.Push();
                case TRIGGER_NOT_SET -> local.map(MetricConfig::trigger)
                        .orElse(new TriggerSpec.Interval(TriggerSpec.DEFAULT_INTERVAL));
            };
            Duration maxAge = descriptor.hasMaxAge()
                    ? Protos.duration(descriptor.getMaxAge())
                    : local.flatMap(MetricConfig::maxAge).orElseGet(() -> defaultMaxAge(trigger));
            OnErrorPolicy onError = local.map(MetricConfig::onError).orElse(OnErrorPolicy.error());
            if (metrics.putIfAbsent(key, new MetricInfo(key, config.name(), trigger, maxAge, onError)) != null) {
                LOG.log(Level.WARNING, "provider \"{0}\": Describe lists {1} twice; the first is used",
                        config.name(), key);
            }
        }
        return new Described(List.copyOf(metrics.values()), List.copyOf(skipped));
    }

    private static Optional<String> problem(MetricDescriptor descriptor) {
        String namespace = descriptor.getMetric().getNamespace();
        String name = descriptor.getMetric().getName();
        if (!namespace.isEmpty() && !namespace.equals(MetricKey.ALL_NAMESPACES)
                && !LabelRules.isDnsLabel(namespace)) {
            return Optional.of("namespace \"" + Failures.abbreviate(namespace) + "\" is neither \"*\" nor a namespace name");
        }
        Optional<String> nameProblem = MetricNames.problem(name);
        if (nameProblem.isPresent()) {
            return nameProblem;
        }
        if (descriptor.hasInterval()) {
            Optional<String> intervalProblem = durationProblem("interval", descriptor.getInterval(), MIN_PERIOD);
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

    static Duration defaultMaxAge(TriggerSpec trigger) {
        return ProviderConfig.defaultMaxAge(trigger);
    }

    /**
     * The Fetch deadline: the provider's, but at most half the interval so a slow reply does not eat
     * the next tick; never under {@link #MIN_PERIOD} though (unless the provider's is), since a
     * shorter deadline expires before the call reaches the provider.
     */
    static Duration fetchDeadline(TriggerSpec trigger, Duration providerDeadline) {
        if (trigger instanceof TriggerSpec.Interval interval) {
            Duration half = interval.period().dividedBy(2);
            Duration atLeastMin = half.compareTo(MIN_PERIOD) < 0 ? MIN_PERIOD : half;
            return atLeastMin.compareTo(providerDeadline) < 0 ? atLeastMin : providerDeadline;
        }
        return providerDeadline;
    }

    /**
     * Makes {@code metrics} this provider's set: registers them in the cache, keeps the refreshers of
     * unchanged metrics, starts new ones, stops removed ones, and (re)opens the Watch stream when the
     * push metrics changed.
     */
    private void apply(List<MetricInfo> metrics) {
        boolean gaveUp;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            applied = List.copyOf(metrics);
            List<String> conflicts = cache.registerProvider(config.name(), metrics);
            conflicts.stream().filter(c -> !clashes.contains(c)).forEach(conflict -> LOG.log(Level.ERROR, conflict));
            clashes = List.copyOf(conflicts);
            Map<MetricKey, MetricRefresher> next = new HashMap<>();
            for (MetricInfo info : metrics) {
                if (cache.state(info.key()).filter(s -> s.info().provider().equals(config.name())).isEmpty()) {
                    continue; // lost a clash
                }
                MetricRefresher existing = refreshers.get(info.key());
                if (existing != null && existing.info().equals(info)) {
                    next.put(info.key(), existing);
                    continue;
                }
                stop(info.key());
                Duration deadline = fetchDeadline(info.trigger(), config.deadline());
                var refresher = new MetricRefresher(info, deadline, refresherContext);
                next.put(info.key(), refresher);
                Duration period = switch (info.trigger()) {
                    case TriggerSpec.Interval interval -> interval.period();
                    // push metrics are also re-fetched now and then, so a quiet one is not reported stale
                    case TriggerSpec.Push push -> info.maxAge().dividedBy(3);
                };
                long periodNanos = Math.max(Backoff.nanos(period), MIN_PERIOD.toNanos());
                ticks.put(info.key(),
                        scheduler.scheduleAtFixedRate(refresher::trigger, 0, periodNanos, TimeUnit.NANOSECONDS));
            }
            for (MetricKey key : List.copyOf(refreshers.keySet())) {
                if (!next.containsKey(key)) {
                    stop(key);
                }
            }
            gaveUp = !next.keySet().containsAll(refreshers.keySet());
            boolean pushChanged = !pushKeys(next).equals(pushKeys(refreshers));
            refreshers = Map.copyOf(next);
            if (pushChanged) {
                restartWatch();
            }
            LOG.log(Level.INFO, "provider \"{0}\" at {1}: serving {2} metrics: {3}", config.name(), config.target(),
                    next.size(), next.values().stream()
                            .map(r -> r.info().key() + " (" + r.info().trigger() + ", max age "
                                    + Durations.format(r.info().maxAge()) + ")")
                            .sorted().toList());
        } finally {
            lock.unlock();
        }
        if (gaveUp) {
            released.run();
        }
    }

    private static Set<MetricKey> pushKeys(Map<MetricKey, MetricRefresher> refreshers) {
        Set<MetricKey> keys = new HashSet<>();
        refreshers.forEach((key, refresher) -> {
            if (refresher.info().trigger() instanceof TriggerSpec.Push) {
                keys.add(key);
            }
        });
        return keys;
    }

    // guarded by lock
    private void stop(MetricKey key) {
        ScheduledFuture<?> tick = ticks.remove(key);
        if (tick != null) {
            tick.cancel(false);
        }
        MetricRefresher refresher = refreshers.get(key);
        if (refresher != null) {
            refresher.close();
        }
    }

    // guarded by lock
    private void restartWatch() {
        watchGeneration++;
        watchUnimplemented = false;
        if (watchCall != null) {
            watchCall.cancel("metrics changed", null);
            watchCall = null;
        }
        if (!pushKeys(refreshers).isEmpty()) {
            int generation = watchGeneration;
            fetchExecutor.execute(() -> startWatch(generation, 0));
        }
    }

    /**
     * Opens a Watch stream and fetches every push metric once, since events may have been missed.
     *
     * @param failed how many streams before this one ended without staying up (the backoff's attempt)
     */
    private void startWatch(int generation, int failed) {
        List<MetricRef> refs;
        Map<MetricKey, MetricRefresher> current;
        lock.lock();
        try {
            if (closed || generation != watchGeneration) {
                return;
            }
            current = refreshers;
            refs = current.values().stream()
                    .filter(r -> r.info().trigger() instanceof TriggerSpec.Push)
                    .map(r -> Protos.ref(r.info().key()))
                    .toList();
        } finally {
            lock.unlock();
        }
        var stream = new WatchStream(generation, failed);
        asyncStub.watch(WatchRequest.newBuilder().addAllMetrics(refs).build(), stream);
        if (failed > 0) {
            schedule(stream::reportIfStable, stableWatch);
        }
        current.values().stream()
                .filter(r -> r.info().trigger() instanceof TriggerSpec.Push)
                .forEach(MetricRefresher::retryNow);
    }

    /** One Watch stream: triggers a fetch per event, and reconnects with backoff when it ends. */
    private final class WatchStream implements ClientResponseObserver<WatchRequest, WatchEvent> {

        private final int generation;
        private final int failed;
        private final long openedAt = System.nanoTime(); // the scheduler's time base
        private volatile boolean ended;

        WatchStream(int generation, int failed) {
            this.generation = generation;
            this.failed = failed;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchRequest> call) {
            lock.lock();
            try {
                if (closed || generation != watchGeneration) {
                    call.cancel("superseded", null);
                } else {
                    watchCall = call;
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onNext(WatchEvent event) {
            // the current refresher, even if replaced since the stream opened
            MetricRefresher refresher = refreshers.get(Protos.key(event.getMetric()));
            if (refresher != null) {
                refresher.trigger();
            }
        }

        @Override
        public void onError(Throwable error) {
            ended = true;
            Status.Code code = Status.fromThrowable(error).getCode();
            if (code == Status.Code.CANCELLED && (isClosed() || generation != currentGeneration())) {
                return;
            }
            if (code == Status.Code.UNIMPLEMENTED) {
                LOG.log(Level.INFO, "provider \"{0}\" does not implement Watch: its push metrics are "
                        + "fetched on connect and every third of their max age; Watch is tried again "
                        + "when the provider reconnects", config.name());
                markUnimplemented();
                return;
            }
            reconnect(Level.WARNING, "provider \"" + config.name() + "\": Watch stream broke ("
                    + Failures.describe(error) + ")");
        }

        @Override
        public void onCompleted() {
            ended = true;
            reconnect(Level.INFO, "provider \"" + config.name() + "\" ended its Watch stream");
        }

        private void markUnimplemented() {
            lock.lock();
            try {
                if (generation == watchGeneration) {
                    watchUnimplemented = true;
                }
            } finally {
                lock.unlock();
            }
        }

        /**
         * Reopens the stream after a backoff that starts over only if this stream stayed up; one
         * that ended at once is a failed attempt. Only the first end of a run of failures is logged.
         */
        private void reconnect(Level level, String what) {
            boolean stayedUp = System.nanoTime() - openedAt >= Backoff.nanos(stableWatch);
            int failedBefore = stayedUp ? 0 : failed;
            if (failedBefore == 0) {
                LOG.log(level, what + "; reconnecting with backoff (until a stream stays up for "
                        + Durations.format(stableWatch) + ", further ends are not logged)");
            }
            schedule(() -> startWatch(generation, failedBefore + 1), backoff.delay(failedBefore));
        }

        /** Says when a stream opened after failures has stayed up: the end of a run of failures. */
        private void reportIfStable() {
            if (!ended && generation == currentGeneration()) {
                LOG.log(Level.INFO, "provider \"{0}\": Watch stream up again for {1}, after {2} failed attempts",
                        config.name(), Durations.format(stableWatch), failed);
            }
        }
    }

    private int currentGeneration() {
        lock.lock();
        try {
            return watchGeneration;
        } finally {
            lock.unlock();
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private void schedule(Runnable task, Duration delay) {
        if (isClosed()) {
            return;
        }
        try {
            scheduler.schedule(task, Backoff.nanos(delay), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            List.copyOf(refreshers.keySet()).forEach(this::stop);
            refreshers = Map.of();
            watchGeneration++;
            if (watchCall != null) {
                watchCall.cancel("provider removed", null);
                watchCall = null;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        cache.removeProvider(config.name());
        released.run();
    }
}
