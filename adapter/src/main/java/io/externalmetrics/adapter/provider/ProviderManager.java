package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Runs every configured provider: one long-lived gRPC channel each, fetches on virtual threads,
 * and one scheduler thread for ticks and backoff timers (it only hands work off, never blocks).
 */
public final class ProviderManager implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ProviderManager.class.getName());

    /** How long after start {@code /readyz} waits for unreachable providers before reporting ready anyway. */
    public static final Duration STARTUP_GRACE = Duration.ofSeconds(30);
    /** How long a keepalive ping may go unanswered before the connection is dropped and made again. */
    static final Duration KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(20);

    private final MetricCache cache;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService fetchExecutor;
    private final Clock clock;
    private final Function<ProviderConfig, ManagedChannel> channels;
    private final Instant startedAt;
    private final ReentrantLock lock = new ReentrantLock();
    // written under lock; read without it (a new immutable map each change)
    private volatile Map<String, Running> running = Map.of();

    /** A started provider and its channel. */
    private record Running(ProviderConfig config, ProviderRuntime runtime, ManagedChannel channel) {
    }

    private ProviderManager(MetricCache cache, ScheduledExecutorService scheduler, ExecutorService fetchExecutor,
                            Clock clock, Function<ProviderConfig, ManagedChannel> channels) {
        this.cache = cache;
        this.scheduler = scheduler;
        this.fetchExecutor = fetchExecutor;
        this.clock = clock;
        this.channels = channels;
        this.startedAt = clock.instant();
    }

    /** Connects to every provider (plaintext gRPC) and starts refreshing into {@code cache}. */
    public static ProviderManager start(List<ProviderConfig> providers, MetricCache cache, Clock clock) {
        return start(providers, cache, clock, config -> configure(
                Grpc.newChannelBuilder(config.target(), InsecureChannelCredentials.create()), config).build());
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

    /** As {@link #start(List, MetricCache, Clock)}, with channels from {@code channels} (tests pass in-process ones). */
    static ProviderManager start(List<ProviderConfig> providers, MetricCache cache, Clock clock,
                                 Function<ProviderConfig, ManagedChannel> channels) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("externalmetrics-scheduler").daemon().factory());
        ExecutorService fetchExecutor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("externalmetrics-fetch-", 0).factory());
        var manager = new ProviderManager(cache, scheduler, fetchExecutor, clock, channels);
        try {
            manager.update(providers);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        scheduler.scheduleWithFixedDelay(cache::sweep, 10, 10, TimeUnit.SECONDS);
        return manager;
    }

    /**
     * Applies a new provider list: removed providers stop (their metrics retire), new ones start,
     * changed ones restart; unchanged ones keep their channel, refreshers and values. All or nothing:
     * every new channel is built before anything stops, so a channel that cannot be built (the
     * builder throws {@link IllegalArgumentException}) leaves the running providers as they were.
     */
    public void update(List<ProviderConfig> providers) {
        lock.lock();
        try {
            Map<String, ProviderConfig> wanted = new LinkedHashMap<>();
            providers.forEach(p -> wanted.put(p.name(), p));
            Map<String, ManagedChannel> fresh = new LinkedHashMap<>();
            try {
                for (ProviderConfig config : wanted.values()) {
                    Running old = running.get(config.name());
                    if (old == null || !old.config().equals(config)) {
                        fresh.put(config.name(), channels.apply(config));
                    }
                }
            } catch (RuntimeException e) {
                fresh.values().forEach(ManagedChannel::shutdownNow);
                throw e;
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
            for (ProviderConfig config : wanted.values()) {
                ManagedChannel channel = fresh.get(config.name());
                if (channel == null) {
                    next.put(config.name(), running.get(config.name()));
                    continue;
                }
                var runtime = new ProviderRuntime(config, channel, cache, scheduler, fetchExecutor, clock,
                        this::reclaimClashes);
                next.put(config.name(), new Running(config, runtime, channel));
                runtime.start();
            }
            running = Map.copyOf(next);
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
        return running.values().stream().allMatch(r -> r.runtime().reached())
                || Duration.between(startedAt, clock.instant()).compareTo(STARTUP_GRACE) >= 0;
    }

    /** Each provider's name, target, whether it was reached, and how Describe went. */
    public List<ProviderStatus> status() {
        return running.values().stream()
                .map(Running::runtime)
                .map(r -> new ProviderStatus(r.config().name(), r.config().target(), r.reached(), r.describeStatus(),
                        r.fetchCounts()))
                .sorted(Comparator.comparing(ProviderStatus::name))
                .toList();
    }

    /** Stops refreshing and closes every channel. */
    @Override
    public void close() {
        List<Running> all;
        lock.lock();
        try {
            all = List.copyOf(running.values());
            running = Map.of();
        } finally {
            lock.unlock();
        }
        all.forEach(ProviderManager::stop);
        scheduler.shutdownNow();
        fetchExecutor.shutdownNow();
        try {
            for (Running provider : all) {
                provider.channel().awaitTermination(5, TimeUnit.SECONDS);
            }
            fetchExecutor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A provider's state, for the debug inventory and readiness.
     *
     * @param name     the provider's name
     * @param target   its gRPC target
     * @param reached  whether it answered at least once
     * @param describe how Describe went
     * @param fetches  fetches started per metric
     */
    public record ProviderStatus(String name, String target, boolean reached, String describe,
                                 Map<MetricKey, Long> fetches) {
    }
}
