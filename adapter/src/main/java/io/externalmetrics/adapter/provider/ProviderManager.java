package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.Forwarder;
import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.config.ProviderProtocol;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Runs every configured provider: one long-lived gRPC channel each, fetches started without blocking
 * and heard on gRPC's threads (a big reply read, a failure handled, a KEDA call made on virtual
 * threads), and one scheduler thread for ticks and backoff timers (it starts calls, never blocks).
 */
public final class ProviderManager implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ProviderManager.class.getName());

    /** How long after start {@code /readyz} waits for unreachable providers before reporting ready anyway. */
    public static final Duration STARTUP_GRACE = Duration.ofSeconds(30);
    /** How long a keepalive ping may go unanswered before the connection is dropped and made again. */
    static final Duration KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(20);
    /**
     * How often a provider's TLS files are checked for changes: Kubernetes takes up to a minute or two
     * to update a mounted Secret anyway, and reading three small files this often costs nothing.
     */
    static final Duration TLS_RELOAD_PERIOD = Duration.ofSeconds(30);

    private final MetricCache cache;
    private final Environment env;
    private final Runnable shutdownExecutors;
    private final BiFunction<ProviderConfig, Environment, OpenChannel> channels;
    private final long startedAt;
    private final ScheduledFuture<?> sweep;
    private final ReentrantLock lock = new ReentrantLock();
    // written under lock; read without it (a new immutable map each change)
    private volatile Map<String, Running> running = Map.of();
    // written under lock; the externalMetricsApi providers, which have no channel (see ForwardedTuples)
    private volatile Map<String, Forwarding> forwarding = Map.of();
    private boolean closed; // guarded by lock

    /** A started provider and its channel. */
    private record Running(ProviderConfig config, ProviderRuntime runtime, OpenChannel channel) {
    }

    /** A started {@code externalMetricsApi} provider. */
    private record Forwarding(ProviderConfig config, ForwardedTuples tuples) {
    }

    /** An {@code externalMetricsApi} provider's client, made before anything stops (see {@link #update}). */
    private record UpstreamParts(UpstreamClient client, Optional<ReloadingTls> tls) {
        void close() {
            client.close();
            tls.ifPresent(ReloadingTls::close);
        }
    }

    /** Opens the HTTPS client of an {@code externalMetricsApi} provider, its TLS files read now. */
    private UpstreamParts openUpstream(ProviderConfig config) {
        Optional<ReloadingTls> tls = config.tls().map(files -> ReloadingTls.start(config.name(), files,
                env.scheduler(), env.fetchExecutor(), TLS_RELOAD_PERIOD));
        try {
            return new UpstreamParts(new UpstreamClient(config, UpstreamClient.sslContext(config, tls),
                    env.fetchExecutor()), tls);
        } catch (RuntimeException e) {
            tls.ifPresent(ReloadingTls::close);
            throw e;
        }
    }

    /** A provider's channel and, with TLS, the reloading of its files, which stops with the channel. */
    record OpenChannel(ManagedChannel channel, Optional<ReloadingTls> tls) {
        OpenChannel {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(tls, "tls");
        }

        void shutdownNow() {
            tls.ifPresent(ReloadingTls::close);
            channel.shutdownNow();
        }
    }

    /**
     * Where the provider runtime takes its time and threads from, so tests can pass virtual ones.
     *
     * @param scheduler     ticks, backoff timers and timeouts; its tasks start calls or hand work off, never block
     * @param fetchExecutor reads big replies, handles failures, runs calls that block (KEDA's); virtual threads
     *                      in production
     * @param clock         wall time: when a value was fetched, when failures began
     * @param ticker        monotonic nanoseconds: how long something lasted (readiness grace, a Watch stream)
     * @param events        told what happens, for the adapter's own metrics
     */
    record Environment(ScheduledExecutorService scheduler, Executor fetchExecutor, Clock clock, LongSupplier ticker,
                       ProviderEvents events) {
        Environment {
            Objects.requireNonNull(scheduler, "scheduler");
            Objects.requireNonNull(fetchExecutor, "fetchExecutor");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(ticker, "ticker");
            Objects.requireNonNull(events, "events");
        }

        /** Without the adapter's own metrics. */
        Environment(ScheduledExecutorService scheduler, Executor fetchExecutor, Clock clock, LongSupplier ticker) {
            this(scheduler, fetchExecutor, clock, ticker, ProviderEvents.NONE);
        }
    }

    private ProviderManager(MetricCache cache, Environment env, Runnable shutdownExecutors,
                            BiFunction<ProviderConfig, Environment, OpenChannel> channels) {
        this.cache = cache;
        this.env = env;
        this.shutdownExecutors = shutdownExecutors;
        this.channels = channels;
        this.startedAt = env.ticker().getAsLong();
        this.sweep = env.scheduler().scheduleWithFixedDelay(cache::sweep, 10, 10, TimeUnit.SECONDS);
    }

    /**
     * Connects to every provider (plaintext gRPC, or TLS where configured) and starts refreshing into
     * {@code cache}.
     */
    public static ProviderManager start(List<ProviderConfig> providers, MetricCache cache, Clock clock) {
        return start(providers, cache, clock, ProviderEvents.NONE);
    }

    /** As {@link #start(List, MetricCache, Clock)}, telling {@code events} what happens. */
    public static ProviderManager start(List<ProviderConfig> providers, MetricCache cache, Clock clock,
                                        ProviderEvents events) {
        return startOwningThreads(providers, cache, clock, events,
                (config, env) -> open(config, env, TLS_RELOAD_PERIOD));
    }

    /** As {@link #start(List, MetricCache, Clock)}, checking TLS files for changes every {@code tlsReloadPeriod}. */
    static ProviderManager start(List<ProviderConfig> providers, MetricCache cache, Clock clock,
                                 Duration tlsReloadPeriod) {
        return startOwningThreads(providers, cache, clock, ProviderEvents.NONE,
                (config, env) -> open(config, env, tlsReloadPeriod));
    }

    /**
     * Opens the channel to a provider: plaintext, or TLS with credentials re-read from their files
     * every {@code tlsReloadPeriod} (the reading on the fetch executor, the timer on the scheduler).
     */
    static OpenChannel open(ProviderConfig config, Environment env, Duration tlsReloadPeriod) {
        if (config.tls().isEmpty()) {
            return new OpenChannel(configure(Grpc.newChannelBuilder(config.target(),
                    InsecureChannelCredentials.create()), config).build(), Optional.empty());
        }
        var tls = ReloadingTls.start(config.name(), config.tls().get(), env.scheduler(), env.fetchExecutor(),
                tlsReloadPeriod);
        try {
            ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(config.target(), tls.credentials());
            config.tls().get().serverName().ifPresent(builder::overrideAuthority);
            return new OpenChannel(configure(builder, config).build(), Optional.of(tls));
        } catch (RuntimeException e) {
            tls.close();
            throw e;
        }
    }

    /**
     * Applies a provider's channel settings to {@code builder}. Keepalive pings only while calls are
     * in flight, and at most as often as the provider allows: Go's gRPC servers refuse pings without
     * calls, and servers in Go, Java, Python and Node answer pings more often than every 5 minutes
     * with GOAWAY (too_many_pings) unless configured otherwise.
     */
    static ManagedChannelBuilder<?> configure(ManagedChannelBuilder<?> builder, ProviderConfig config) {
        return builder
                .userAgent("externalmetrics-adapter")
                .maxInboundMessageSize(config.maxReplyBytes())
                .keepAliveTime(config.keepAlive().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(KEEP_ALIVE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveWithoutCalls(false);
    }

    /**
     * As {@link #start(List, MetricCache, Clock)}, with channels from {@code channels} (tests pass
     * their own), on real time and threads made here and shut down by {@link #close}.
     */
    static ProviderManager start(List<ProviderConfig> providers, MetricCache cache, Clock clock,
                                 Function<ProviderConfig, ManagedChannel> channels) {
        return startOwningThreads(providers, cache, clock, ProviderEvents.NONE, plain(channels));
    }

    private static BiFunction<ProviderConfig, Environment, OpenChannel> plain(
            Function<ProviderConfig, ManagedChannel> channels) {
        return (config, env) -> new OpenChannel(channels.apply(config), Optional.empty());
    }

    private static ProviderManager startOwningThreads(List<ProviderConfig> providers, MetricCache cache, Clock clock,
                                                      ProviderEvents events,
                                                      BiFunction<ProviderConfig, Environment, OpenChannel> channels) {
        // the one place the provider runtime's real time and threads are made
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("externalmetrics-scheduler").daemon().factory());
        ExecutorService fetchExecutor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("externalmetrics-fetch-", 0).factory());
        Runnable shutdown = () -> {
            scheduler.shutdownNow();
            fetchExecutor.shutdownNow();
            try {
                fetchExecutor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        var env = new Environment(scheduler, fetchExecutor, clock, System::nanoTime, events);
        return start(providers, cache, channels, env, shutdown);
    }

    /**
     * As {@link #start(List, MetricCache, Clock, Function)}, on the given time and threads, which the
     * caller owns and shuts down (tests pass virtual ones).
     */
    static ProviderManager start(List<ProviderConfig> providers, MetricCache cache,
                                 Function<ProviderConfig, ManagedChannel> channels, Environment env) {
        return start(providers, cache, plain(channels), env, () -> {
        });
    }

    private static ProviderManager start(List<ProviderConfig> providers, MetricCache cache,
                                         BiFunction<ProviderConfig, Environment, OpenChannel> channels,
                                         Environment env,
                                         Runnable shutdownExecutors) {
        var manager = new ProviderManager(cache, env, shutdownExecutors, channels);
        try {
            manager.update(providers);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        return manager;
    }

    /**
     * Applies a new provider list: removed providers stop (their metrics retire), new ones start,
     * changed ones restart; unchanged ones keep their channel, refreshers and values. All or nothing:
     * every new channel is built before anything stops, so a channel that cannot be built (the
     * builder throws {@link IllegalArgumentException}, a TLS file no longer reads) leaves the running
     * providers as they were.
     */
    public void update(List<ProviderConfig> providers) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the provider manager is closed");
            }
            Map<String, ProviderConfig> wanted = new LinkedHashMap<>();
            Map<String, ProviderConfig> forwarders = new LinkedHashMap<>();
            providers.forEach(p -> (p.protocol() == ProviderProtocol.EXTERNAL_METRICS_API ? forwarders : wanted)
                    .put(p.name(), p));
            Map<String, OpenChannel> fresh = new LinkedHashMap<>();
            Map<String, UpstreamParts> freshUpstreams = new LinkedHashMap<>();
            try {
                for (ProviderConfig config : wanted.values()) {
                    Running old = running.get(config.name());
                    if (old == null || !old.config().equals(config)) {
                        fresh.put(config.name(), channels.apply(config, env));
                    }
                }
                for (ProviderConfig config : forwarders.values()) {
                    Forwarding old = forwarding.get(config.name());
                    if (old == null || !old.config().equals(config)) {
                        freshUpstreams.put(config.name(), openUpstream(config));
                    }
                }
            } catch (RuntimeException e) {
                fresh.values().forEach(OpenChannel::shutdownNow);
                freshUpstreams.values().forEach(UpstreamParts::close);
                throw e;
            }
            for (Forwarding old : forwarding.values()) {
                ProviderConfig now = forwarders.get(old.config().name());
                if (now == null || !now.equals(old.config())) {
                    old.tuples().close();
                    LOG.log(Level.INFO, "provider \"{0}\" {1}", old.config().name(),
                            now == null ? "removed" : "changed: restarting it");
                }
            }
            for (Running old : running.values()) {
                ProviderConfig now = wanted.get(old.config().name());
                if (now == null || !now.equals(old.config())) {
                    stop(old);
                    LOG.log(Level.INFO, "provider \"{0}\" {1}", old.config().name(),
                            now == null ? "removed" : "changed: restarting it");
                }
            }
            Map<String, Running> next = new LinkedHashMap<>();
            List<ProviderRuntime> started = new ArrayList<>();
            for (ProviderConfig config : wanted.values()) {
                OpenChannel channel = fresh.get(config.name());
                if (channel == null) {
                    next.put(config.name(), running.get(config.name()));
                    continue;
                }
                var runtime = new ProviderRuntime(config, channel.channel(), cache, env, this::reclaimClashes);
                next.put(config.name(), new Running(config, runtime, channel));
                started.add(runtime);
            }
            // published before they start: a metric another provider gives up from now on is offered
            // to them too (a runtime that has not registered anything yet ignores the offer)
            running = Map.copyOf(next);
            started.forEach(ProviderRuntime::start);
            Map<String, Forwarding> nextForwarding = new LinkedHashMap<>();
            for (ProviderConfig config : forwarders.values()) {
                UpstreamParts parts = freshUpstreams.get(config.name());
                nextForwarding.put(config.name(), parts == null ? forwarding.get(config.name())
                        : new Forwarding(config, new ForwardedTuples(config, parts.client(), parts.tls(), cache, env)));
            }
            // in configuration order: the first forwarder of a name wins
            forwarding = Collections.unmodifiableMap(nextForwarding);
            cache.forwarders(nextForwarding.values().stream().map(f -> (Forwarder) f.tuples()).toList());
        } finally {
            lock.unlock();
        }
    }

    /** A provider gave up metrics: each other one registers again what it lost to a clash. */
    private void reclaimClashes() {
        running.values().forEach(r -> r.runtime().reclaim());
    }

    private static void stop(Running provider) {
        provider.runtime().close();
        provider.channel().shutdownNow();
    }

    /** Ready once every provider answered once, or the start-up grace has passed. */
    public boolean ready() {
        return running.values().stream().allMatch(r -> r.runtime().state().reached())
                || env.ticker().getAsLong() - startedAt >= STARTUP_GRACE.toNanos();
    }

    /** Fetches started per served metric, over every provider; without waiting on any. */
    public Map<MetricKey, Long> fetchCounts() {
        Map<MetricKey, Long> counts = new HashMap<>();
        running.values().forEach(r -> counts.putAll(r.runtime().fetchCounts()));
        return counts;
    }

    /** Stops refreshing and closes every channel. */
    @Override
    public void close() {
        List<Running> all;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(running.values());
            running = Map.of();
            cache.forwarders(List.of());
            forwarding.values().forEach(f -> f.tuples().close());
            forwarding = Map.of();
        } finally {
            lock.unlock();
        }
        all.forEach(ProviderManager::stop);
        sweep.cancel(false);
        try {
            for (Running provider : all) {
                provider.channel().channel().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdownExecutors.run();
    }
}
