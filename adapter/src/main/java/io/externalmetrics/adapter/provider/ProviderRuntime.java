package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.cache.ProviderState.Connectivity;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.logging.RateLimitedLog;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * One provider at run time, whatever its protocol: learns its metrics from its {@link MetricSource}
 * (for our protocol Describe, mapped by {@link DescribeResponses}, else configuration), serves them
 * through a {@link Reconciler}, has the source watch them for changes (Watch, StreamIsActive), and
 * starts over when the channel comes back after a loss.
 *
 * <p>Every state change runs as a task in one {@link SynchronizationContext}: Describe replies,
 * retries, connectivity changes, clash reclaims and close are events on that queue, run one at a
 * time, so the state below needs no lock. What other threads read is published: the refreshers
 * (for Watch events) by the reconciler, the provider's {@link ProviderState} in a volatile field and
 * in the cache.
 */
final class ProviderRuntime implements AutoCloseable {

    /** How many served metrics the line saying what a provider serves names. */
    static final int LOGGED_METRICS = 20;

    private static final System.Logger LOG = System.getLogger(ProviderRuntime.class.getName());
    /** Concurrent fetches per provider: a slow provider queues its own fetches, nobody else's. */
    static final int MAX_CONCURRENT_FETCHES = 32;

    private final ProviderConfig config;
    private final ManagedChannel channel;
    private final MetricCache cache;
    private final Runnable released;
    private final SynchronizationContext sync;
    private final Reconciler reconciler;
    private final MetricSource source;
    private final ProviderEvents events;
    private final Clock clock;
    // said again on every reconnect: a provider that keeps reconnecting says each at most once per interval
    private final RateLimitedLog reconnectLog;
    // one reset of gRPC's connect backoff per run of UNAVAILABLE fetches, not one per failing metric
    private final AtomicBoolean unavailable = new AtomicBoolean();
    private final Executor fetchExecutor;

    // confined to sync
    private List<MetricInfo> applied = List.of(); // the set last given to apply()
    private Set<MetricKey> watched = Set.of(); // the served metrics the source was last told to watch
    private String describeStatus = "not called yet";
    private List<String> clashes = List.of(); // metrics not served: another provider holds them
    private boolean wasReady;
    private boolean reached; // answered at least once (Describe or a Fetch)
    private Connectivity connectivity = Connectivity.IDLE; // a new channel's state
    private Instant connectivitySince;
    private List<String> servingLogged = List.of(); // the served set as last logged: a reconnect to it says nothing
    private boolean closed;

    // written in sync, read anywhere (also published in the cache)
    private volatile ProviderState state;

    /**
     * @param released called, in this runtime's context, after it gave up metrics (stopped serving
     *     some, or closed): another provider may now take over one it lost to this one in a clash
     */
    ProviderRuntime(ProviderConfig config, ManagedChannel channel, MetricCache cache, ProviderManager.Environment env,
                    Runnable released) {
        this.config = config;
        this.channel = channel;
        this.cache = cache;
        this.released = released;
        this.events = env.events();
        this.fetchExecutor = env.fetchExecutor();
        this.clock = env.clock();
        this.connectivitySince = clock.instant();
        this.reconnectLog = new RateLimitedLog(LOG, RateLimitedLog.INTERVAL, env.ticker());
        var backoff = Backoff.of(config.retry());
        this.sync = new SynchronizationContext((thread, error) -> LOG.log(Level.ERROR,
                "provider \"" + config.name() + "\": internal error", error));
        this.state = new ProviderState(config.name(), config.target(), false, describeStatus, connectivity,
                connectivitySince);
        this.source = source(config, channel, sync, env, backoff, new MetricSource.Listener() {
            @Override
            public void learned(DescribeResponses.MetricSet metrics, String status) {
                ProviderRuntime.this.described(metrics, status);
            }

            @Override
            public void unlisted() {
                describeUnimplemented();
            }

            @Override
            public void failing(String why) {
                env.events().describeFailed(config.name());
                describeStatus = "failing: " + why;
                publish();
            }

            @Override
            public void watchOpened(Collection<MetricKey> keys) {
                keys.forEach(key -> reconciler.refresher(key).ifPresent(MetricRefresher::retryNow));
            }

            @Override
            public void changed(MetricKey key) {
                reconciler.refresher(key).ifPresent(MetricRefresher::trigger);
            }

            @Override
            public void watchReconnecting() {
                env.events().watchReconnected(config.name());
            }
        });
        var refresherContext = new MetricRefresher.Context(source.fetchers(), cache,
                env.fetchExecutor(), env.scheduler(), new Bulkhead(MAX_CONCURRENT_FETCHES), env.clock(), backoff,
                new MetricRefresher.Listener() {
                    @Override
                    public void succeeded() {
                        if (unavailable.get()) {
                            unavailable.set(false);
                        }
                        if (!state.reached()) {
                            // on gRPC's thread: the provider's context may have more queued than this
                            reachedLater();
                        }
                    }

                    @Override
                    public void failed(Status.Code code) {
                        if (code == Status.Code.UNAVAILABLE && unavailable.compareAndSet(false, true)) {
                            // gRPC's own reconnect backoff grows to two minutes; ours decides when to retry
                            channel.resetConnectBackoff();
                        }
                    }
                }, env.ticker(), env.events());
        this.reconciler = new Reconciler(env.scheduler(),
                info -> new MetricRefresher(info, fetchDeadline(info.trigger(), config.deadline()), refresherContext));
    }

    /** Marks the provider reached in its context, run on the fetch executor (not the thread that says so). */
    private void reachedLater() {
        try {
            fetchExecutor.execute(() -> sync.execute(this::reached));
        } catch (RejectedExecutionException e) {
            // shutting down: nobody reads reachability any more
        }
    }

    /** The source of values a provider's protocol makes: one class per protocol. */
    private static MetricSource source(ProviderConfig config, ManagedChannel channel, SynchronizationContext sync,
                                       ProviderManager.Environment env, Backoff backoff,
                                       MetricSource.Listener listener) {
        return switch (config.protocol()) {
            case METRIC_PROVIDER -> new MetricProviderSource(config, channel, sync, env, backoff, listener);
            case KEDA_EXTERNAL_SCALER -> new KedaScalerSource(config, channel, sync, env, backoff, listener);
            // computes per (namespace, metric, selector), which no per-metric runtime fits: see ForwardedTuples
            case EXTERNAL_METRICS_API -> throw new IllegalArgumentException("provider \"" + config.name()
                    + "\": an externalMetricsApi provider is run by ForwardedTuples, not a ProviderRuntime");
        };
    }

    /** Name, target, whether reached, how Describe went and the connection now; from any thread. */
    ProviderState state() {
        return state;
    }

    /** Fetches started per served metric; from any thread, without waiting. */
    Map<MetricKey, Long> fetchCounts() {
        return reconciler.fetchCounts();
    }

    /** Starts learning the metrics; returns at once. */
    void start() {
        sync.execute(() -> {
            publish();
            if (!config.metrics().isEmpty()) {
                // serve the configured metrics (and their errors) until Describe says otherwise
                apply(DescribeResponses.configured(config).metrics());
            }
            source.learn();
            watchConnectivity(null); // reports the first state
        });
    }

    /**
     * Registers again the metrics this provider lost in clashes, now that another provider may have
     * given them up; a no-op when it lost none.
     */
    void reclaim() {
        sync.execute(() -> {
            if (!clashes.isEmpty()) {
                apply(applied);
            }
        });
    }

    /**
     * Stops refreshing and watching, and retires the provider's metrics; returns when done, so a
     * successor under the same name starts after this one's last write. Not from this runtime's context.
     */
    @Override
    public void close() {
        var done = new CompletableFuture<Void>();
        sync.execute(() -> {
            try {
                shutdown();
            } finally {
                done.complete(null);
            }
        });
        done.join();
    }

    private void shutdown() {
        if (closed) {
            return;
        }
        closed = true;
        source.stop("provider removed");
        reconciler.stopAll();
        cache.removeProvider(config.name());
        released.run();
    }

    /**
     * Follows the channel's state: each return to READY after a loss (provider restarted, network
     * back) asks Describe again, since metrics may have changed, and fetches every metric at once.
     * Each new state is told to the events and published with the provider's state.
     *
     * @param last the state seen before; null at start
     */
    private void watchConnectivity(ConnectivityState last) {
        if (closed) {
            return;
        }
        ConnectivityState now = channel.getState(false);
        if (now != last) {
            events.connectivity(config.name(), now.name());
            connectivity = Connectivity.valueOf(now.name());
            connectivitySince = clock.instant();
            publish();
        }
        if (now == ConnectivityState.SHUTDOWN) {
            return;
        }
        boolean ready = now == ConnectivityState.READY;
        if (ready && last != ConnectivityState.READY && wasReady) {
            reconnectLog.log(Level.INFO, "provider \"" + config.name() + "\" at " + config.target()
                    + " is reachable again: describing and fetching its metrics");
            unavailable.set(false);
            reconciler.refreshers().forEach(MetricRefresher::retryNow);
            if (source.watchUnimplemented()) {
                source.watch(served()); // it may have restarted as a newer version with Watch
            }
            source.learn();
        }
        wasReady |= ready;
        channel.notifyWhenStateChanged(now, () -> sync.execute(() -> watchConnectivity(now)));
    }

    /** What the source listed: serve those metrics, and tell the operator about those it could not. */
    private void described(DescribeResponses.MetricSet described, String status) {
        described.skipped().forEach(skipped -> reconnectLog.log(Level.WARNING, "provider \"" + config.name()
                + "\": Describe lists " + skipped.which() + ", which cannot be served: " + skipped.problem()
                + "; skipping it"));
        described.duplicates().forEach(key -> reconnectLog.log(Level.WARNING,
                "provider \"" + config.name() + "\": Describe lists " + key + " twice; the first is used"));
        warnAboutPolicies(described);
        reached = true;
        describeStatus = status;
        apply(described.metrics()); // publishes the new state once
    }

    private void describeUnimplemented() {
        DescribeResponses.MetricSet configured = DescribeResponses.configured(config);
        List<String> problems = configured.policyProblems();
        describeStatus = "not implemented: using the " + config.metrics().size() + " configured metrics"
                + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
        if (config.metrics().isEmpty()) {
            LOG.log(Level.WARNING, "provider \"{0}\" does not implement Describe and no metrics are "
                    + "configured for it: it serves nothing", config.name());
        }
        warnAboutPolicies(configured);
        reached = true;
        apply(configured.metrics());
    }

    /**
     * Says which metrics' last-known-good bound is no longer than their max age: configuration
     * rejects that where it knows the max age, but Describe can give a longer one at run time.
     */
    private void warnAboutPolicies(DescribeResponses.MetricSet metrics) {
        metrics.policyProblems().forEach(problem -> reconnectLog.log(Level.WARNING, "provider \"" + config.name()
                + "\": " + problem + "; give a longer lastKnownGoodFor"));
    }

    /**
     * Makes {@code metrics} this provider's set: registers them in the cache, serves those it did not
     * lose in a clash, and reopens the Watch stream when the push metrics changed.
     */
    private void apply(List<MetricInfo> metrics) {
        sync.throwIfNotInThisSynchronizationContext();
        if (closed) {
            return;
        }
        applied = List.copyOf(metrics);
        List<String> conflicts = cache.registerProvider(config.name(), metrics);
        conflicts.stream().filter(c -> !clashes.contains(c)).forEach(conflict -> LOG.log(Level.ERROR, conflict));
        clashes = List.copyOf(conflicts);
        List<MetricInfo> won = metrics.stream()
                .filter(info -> cache.state(info.key()).filter(s -> s.info().provider().equals(config.name()))
                        .isPresent())
                .toList();
        Reconciler.Change change = reconciler.reconcile(won);
        Set<MetricKey> nowWatched = served().stream().filter(source::watches).map(MetricInfo::key)
                .collect(Collectors.toUnmodifiableSet());
        if (!nowWatched.equals(watched)) {
            watched = nowWatched;
            source.watch(served());
        }
        logServing(won);
        publish();
        if (change.gaveUp()) {
            released.run();
        }
    }

    /**
     * Says which metrics this provider serves, when that differs from what was said last: a provider that
     * keeps restarting is described again on every reconnect, and would otherwise log its whole list each time.
     */
    private void logServing(List<MetricInfo> served) {
        List<String> serving = served.stream()
                .map(info -> info.key() + " (" + info.trigger() + ", max age " + Durations.format(info.maxAge()) + ")")
                .sorted().toList();
        if (!serving.equals(servingLogged)) {
            servingLogged = serving;
            LOG.log(Level.INFO, "provider \"{0}\" at {1}: {2}", config.name(), config.target(), serving(serving));
        }
    }

    /** The first {@value #LOGGED_METRICS} served metrics: a provider of 10,000 would make a line of 400 KB. */
    static String serving(List<String> serving) {
        return "serving " + serving.size() + " metrics: " + (serving.size() <= LOGGED_METRICS ? serving
                : serving.subList(0, LOGGED_METRICS) + " and " + (serving.size() - LOGGED_METRICS)
                        + " more (every one in /debug/inventory)");
    }

    /** The metrics served now. */
    private List<MetricInfo> served() {
        return reconciler.refreshers().stream().map(MetricRefresher::info).toList();
    }

    /** A Fetch succeeded: the provider answered. */
    private void reached() {
        if (!reached) {
            reached = true;
            publish();
        }
    }

    private void publish() {
        if (closed) {
            return;
        }
        String describeText = clashes.isEmpty() ? describeStatus : describeStatus + "; " + String.join("; ", clashes);
        state = new ProviderState(config.name(), config.target(), reached, describeText, connectivity,
                connectivitySince);
        cache.updateProvider(state);
    }

    /**
     * The Fetch deadline: the provider's, but at most half the interval so a slow reply does not eat
     * the next tick; never under {@link TriggerSpec#MIN_PERIOD} though (unless the provider's is), since a
     * shorter deadline expires before the call reaches the provider.
     */
    static Duration fetchDeadline(TriggerSpec trigger, Duration providerDeadline) {
        if (trigger instanceof TriggerSpec.Interval interval) {
            Duration half = interval.period().dividedBy(2);
            Duration atLeastMin = half.compareTo(TriggerSpec.MIN_PERIOD) < 0 ? TriggerSpec.MIN_PERIOD : half;
            return atLeastMin.compareTo(providerDeadline) < 0 ? atLeastMin : providerDeadline;
        }
        return providerDeadline;
    }
}
