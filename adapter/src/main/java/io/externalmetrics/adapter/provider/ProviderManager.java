package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs every configured provider: one long-lived gRPC channel each, fetches on virtual threads,
 * and one scheduler thread for ticks and backoff timers (it only hands work off, never blocks).
 */
public final class ProviderManager implements AutoCloseable {

    /** How long after start {@code /readyz} waits for unreachable providers before reporting ready anyway. */
    public static final Duration STARTUP_GRACE = Duration.ofSeconds(30);

    private final List<ProviderRuntime> runtimes;
    private final List<ManagedChannel> channels;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService fetchExecutor;
    private final Clock clock;
    private final Instant startedAt;

    private ProviderManager(List<ProviderRuntime> runtimes, List<ManagedChannel> channels,
                            ScheduledExecutorService scheduler, ExecutorService fetchExecutor, Clock clock) {
        this.runtimes = runtimes;
        this.channels = channels;
        this.scheduler = scheduler;
        this.fetchExecutor = fetchExecutor;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /** Connects to every provider (plaintext gRPC) and starts refreshing into {@code cache}. */
    public static ProviderManager start(List<ProviderConfig> providers, MetricCache cache, Clock clock) {
        return start(providers, cache, clock, config -> Grpc.newChannelBuilder(config.target(),
                        InsecureChannelCredentials.create())
                .userAgent("externalmetrics-adapter")
                .build());
    }

    /** As {@link #start(List, MetricCache, Clock)}, with channels from {@code channels} (tests pass in-process ones). */
    public static ProviderManager start(List<ProviderConfig> providers, MetricCache cache, Clock clock,
                                        Function<ProviderConfig, ManagedChannel> channels) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("externalmetrics-scheduler").daemon().factory());
        ExecutorService fetchExecutor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("externalmetrics-fetch-", 0).factory());
        List<ProviderRuntime> runtimes = new ArrayList<>();
        List<ManagedChannel> opened = new ArrayList<>();
        for (ProviderConfig config : providers) {
            ManagedChannel channel = channels.apply(config);
            opened.add(channel);
            runtimes.add(new ProviderRuntime(config, channel, cache, scheduler, fetchExecutor, clock,
                    Backoff.standard()));
        }
        var manager = new ProviderManager(List.copyOf(runtimes), List.copyOf(opened), scheduler, fetchExecutor, clock);
        runtimes.forEach(ProviderRuntime::start);
        return manager;
    }

    /** Ready once every provider answered once, or the start-up grace has passed. */
    public boolean ready() {
        return runtimes.stream().allMatch(ProviderRuntime::reached)
                || Duration.between(startedAt, clock.instant()).compareTo(STARTUP_GRACE) >= 0;
    }

    /** Each provider's name, target, whether it was reached, and how Describe went. */
    public List<ProviderStatus> status() {
        return runtimes.stream()
                .map(r -> new ProviderStatus(r.config().name(), r.config().target(), r.reached(), r.describeStatus(),
                        r.fetchCounts()))
                .toList();
    }

    /** Stops refreshing and closes every channel. */
    @Override
    public void close() {
        runtimes.forEach(ProviderRuntime::close);
        scheduler.shutdownNow();
        channels.forEach(ManagedChannel::shutdownNow);
        fetchExecutor.shutdownNow();
        try {
            for (ManagedChannel channel : channels) {
                channel.awaitTermination(5, TimeUnit.SECONDS);
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
