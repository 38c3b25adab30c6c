package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.cache.ProviderState.Connectivity;
import io.externalmetrics.adapter.cache.ReadResult;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeClock;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricDescriptor;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole provider runtime (Describe, ticks, retries, Watch, readiness) on virtual time, against
 * in-process providers: what the cache serves after exactly so much time, with no time waited.
 */
@Timeout(30)
class ProviderRuntimeTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final FakeClock time = new FakeClock();
    private final MetricCache cache = new MetricCache(time.clock());
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
        channels.forEach(ManagedChannel::shutdownNow);
    }

    private FakeProvider provider() {
        FakeProvider provider = FakeProvider.inProcess();
        toClose.add(provider);
        return provider;
    }

    /**
     * Starts the providers of {@code yaml}, each reached through {@code channel} (their targets unused), on virtual
     * time and direct executors.
     */
    private ProviderManager start(String yaml, Function<ProviderConfig, ManagedChannel> channel) {
        return start(yaml, channel, Runnable::run);
    }

    /** As {@link #start(String, Function)}, with fetches run by {@code fetches}. */
    private ProviderManager start(String yaml, Function<ProviderConfig, ManagedChannel> channel, Executor fetches) {
        List<ProviderConfig> providers = ConfigLoader.parse("providers:\n" + yaml).providers();
        var manager = ProviderManager.start(providers, cache, config -> {
            ManagedChannel made = channel.apply(config);
            channels.add(made);
            return made;
        }, new ProviderManager.Environment(time.scheduler(), fetches, time.clock(), time.ticker()));
        toClose.add(manager);
        return manager;
    }

    /** What a read of {@code metric} in namespace default gets: the body, or the reason. */
    private String read(String metric) {
        return switch (cache.read("default", metric, Optional.empty())) {
            case ReadResult.Found found -> new String(found.body(), StandardCharsets.UTF_8);
            case ReadResult.NotFound notFound -> "404 " + notFound.why();
            case ReadResult.Unavailable unavailable -> "503 " + unavailable.why();
            case ReadResult.Refused refused -> refused.code() + " " + refused.why();
        };
    }

    @Test
    void failingFetches_areRetriedWithBackoff_notOnEveryTick() {
        FakeProvider provider = provider().failing("m", Status.INTERNAL.withDescription("boom"));
        start("""
                  - name: p
                    target: 127.0.0.1:1
                    deadline: 30s
                    retry: {initial: 400ms, max: 400ms}
                    metrics: [{name: m, interval: 10ms}]
                """, config -> provider.inProcessChannel());

        time.forward(Duration.ofSeconds(10));

        // 1000 ticks; retries after waits of up to 400ms (about 200ms on average, with jitter)
        assertThat(provider.fetches("m")).isBetween(25L, 200L);
        // (with 10ms ticks the fetch deadline is 5ms of real time: on a busy machine some attempts time out instead)
        assertThat(read("m")).startsWith("503 provider \"p\" failing since 2026-11-30T10:00:00Z (");
    }

    @Test
    void failingFetches_recover_onTheFirstRetryAfterTheProviderDoes() {
        AtomicLong value = new AtomicLong(-1);
        FakeProvider provider = provider().metric("m", request -> {
            if (value.get() < 0) {
                throw Status.UNAVAILABLE.asRuntimeException();
            }
            return FetchResponse.newBuilder().setValue(value.get()).build();
        });
        start("""
                  - name: p
                    target: 127.0.0.1:1
                    deadline: 30s
                    retry: {initial: 1s, max: 1s}
                    metrics: [{name: m, interval: 5s, maxAge: 1m}]
                """, config -> provider.inProcessChannel());
        time.forward(Duration.ofSeconds(5));

        value.set(7);
        time.forward(Duration.ofSeconds(1)); // the longest wait, shorter than a tick

        assertThat(read("m")).contains("\"value\":\"7\"");
    }

    @Test
    void lastValue_isServedUntilItsMaxAge_thenTheFailure() {
        AtomicLong value = new AtomicLong(5);
        FakeProvider provider = provider().metric("m", request -> {
            if (value.get() < 0) {
                throw Status.UNAVAILABLE.withDescription("backend down").asRuntimeException();
            }
            return FetchResponse.newBuilder().setValue(value.get()).build();
        });
        start("""
                  - name: p
                    target: 127.0.0.1:1
                    deadline: 30s
                    metrics: [{name: m, interval: 1s, maxAge: 3s}]
                """, config -> provider.inProcessChannel());
        time.runDueTasks();
        assertThat(read("m")).contains("\"value\":\"5\"");

        value.set(-1);
        time.forward(Duration.ofSeconds(3));
        assertThat(read("m")).as("3s old: still fresh").contains("\"value\":\"5\"");

        time.forward(Duration.ofMillis(1));
        // the first failed fetch: the metric's first tick after the fetch at start, at its phase in the second
        Instant firstTick = Instant.parse("2026-11-30T10:00:00Z")
                .plusNanos(Reconciler.phase(new MetricKey("*", "m"), Duration.ofSeconds(1).toNanos()));
        assertThat(read("m"))
                .startsWith("503 provider \"p\" failing since " + ExternalMetricJson.timestamp(firstTick)
                        + " (UNAVAILABLE: backend down")
                .endsWith("last value fetched 3.1s ago (max age 3s)");
    }

    @Test
    void pushMetric_brokenWatchStream_isReopenedAfterItsBackoff_andFetchedOnReopen() {
        AtomicLong value = new AtomicLong(1);
        FakeProvider provider = provider().describe(FakeProvider.push("pushed", Duration.ofMinutes(10)))
                .metric("pushed", request -> FetchResponse.newBuilder().setValue(value.get()).build());
        start("""
                  - name: p
                    target: 127.0.0.1:1
                    deadline: 30s
                    retry: {initial: 1s, max: 1s}
                """, config -> provider.inProcessChannel());
        time.runDueTasks();
        assertThat(provider.openWatchStreams()).isEqualTo(1);
        assertThat(read("pushed")).contains("\"value\":\"1\"");

        value.set(2); // changed without an event: only the fetch on reopen can see it
        provider.breakWatchStreams();
        time.forward(Duration.ofSeconds(1)); // the longest first wait

        assertThat(provider.watchCalls()).isEqualTo(2);
        assertThat(read("pushed")).contains("\"value\":\"2\"");
        value.set(3);
        provider.fire("pushed");
        assertThat(read("pushed")).contains("\"value\":\"3\"");
    }

    @Test
    void watch_isReopenedWhenThePushMetricsChange_onlyThen() {
        FakeProvider same = provider().describe(FakeProvider.push("a", Duration.ofMinutes(10)),
                FakeProvider.interval("b", Duration.ofSeconds(1)));
        FakeProvider more = provider().describe(FakeProvider.push("c", Duration.ofMinutes(10)),
                FakeProvider.push("d", Duration.ofMinutes(10)));
        start("""
                  - name: same
                    target: 127.0.0.1:1
                    metrics: [{name: a, push: true}]
                  - name: more
                    target: 127.0.0.1:2
                    metrics: [{name: c, push: true}]
                """, config -> (config.name().equals("same") ? same : more).inProcessChannel());
        time.runDueTasks();

        assertThat(same.watchCalls()).as("configured, then described: the same push metric").isEqualTo(1);
        assertThat(more.watchCalls()).as("configured, then described with another push metric").isEqualTo(2);
        assertThat(same.openWatchStreams()).isEqualTo(1);
        assertThat(more.openWatchStreams()).isEqualTo(1);
    }

    @Test
    void readiness_waitsForAnUnreachedProvider_for30sExactly() {
        start("""
                  - name: gone
                    target: 127.0.0.1:1
                    deadline: 30s
                    metrics: [{name: m, interval: 1s}]
                """, config -> InProcessChannelBuilder.forName("nobody-listens-" + System.identityHashCode(this))
                .directExecutor().build());
        ProviderManager manager = (ProviderManager) toClose.getLast();
        time.runDueTasks();

        time.forward(Duration.ofSeconds(30).minusMillis(1)); // the grace README promises, written out
        assertThat(manager.ready()).isFalse();
        assertThat(cache.providers()).singleElement().satisfies(state -> {
            assertThat(state.reached()).isFalse();
            assertThat(state.describe()).startsWith("failing: UNAVAILABLE");
        });

        time.forward(Duration.ofMillis(1));
        assertThat(manager.ready()).isTrue();
    }

    @Test
    void readiness_isAtOnce_whenEveryProviderAnswered() {
        FakeProvider provider = provider().value("m", 1);
        ProviderManager manager = start("""
                  - name: p
                    target: 127.0.0.1:1
                    deadline: 30s
                    metrics: [{name: m, interval: 1s}]
                """, config -> provider.inProcessChannel());

        time.runDueTasks();

        assertThat(manager.ready()).isTrue();
        assertThat(cache.providers()).containsExactly(new ProviderState("p", "127.0.0.1:1", true,
                "not implemented: using the 1 configured metrics", Connectivity.READY, time.clock().instant()));
    }

    @Test
    void close_retiresTheMetrics_andForgetsTheProvider() {
        FakeProvider provider = provider().value("m", 1);
        ProviderManager manager = start("""
                  - name: p
                    target: 127.0.0.1:1
                    deadline: 30s
                    metrics: [{name: m, interval: 1s, maxAge: 3s}]
                """, config -> provider.inProcessChannel());
        time.runDueTasks();

        manager.update(List.of());
        long fetches = provider.fetches("m");
        time.forward(Duration.ofSeconds(3));

        assertThat(provider.fetches("m")).isEqualTo(fetches);
        assertThat(cache.providers()).isEmpty();
        assertThat(read("m")).as("served until its max age").contains("\"value\":\"1\"");
        time.forward(Duration.ofMillis(1));
        assertThat(read("m")).startsWith("404");
    }

    @Test
    void clash_theLoserTakesTheMetricOver_whenTheWinnerIsRemoved() {
        FakeProvider one = provider().describe(FakeProvider.interval("m", Duration.ofSeconds(1))).value("m", 1);
        FakeProvider two = provider().describe(FakeProvider.interval("m", Duration.ofSeconds(1))).value("m", 2);
        String yaml = """
                  - name: one
                    target: 127.0.0.1:1
                    deadline: 30s
                  - name: two
                    target: 127.0.0.1:1
                    deadline: 30s
                """;
        ProviderManager manager = start(yaml, config -> (config.name().equals("one") ? one : two).inProcessChannel());
        time.runDueTasks();
        assertThat(read("m")).contains("\"value\":\"1\"");
        assertThat(cache.providers()).extracting(ProviderState::describe).containsExactly("ok: 1 metrics",
                "ok: 1 metrics; metric \"m\" in namespace \"*\" of provider \"two\" clashes with \"m\" of provider "
                        + "\"one\"; it is not served");

        manager.update(ConfigLoader.parse("providers:\n" + yaml).providers().subList(1, 2));
        time.runDueTasks();

        assertThat(read("m")).contains("\"value\":\"2\"");
        assertThat(cache.providers()).extracting(ProviderState::describe).containsExactly("ok: 1 metrics");
    }

    /**
     * A provider whose fetches all hang holds its own bound of concurrent fetches, and no more: another
     * provider's metric is fetched on every one of its ticks meanwhile. Were the bound shared by
     * providers, the quick metric's fetches would wait for a permit the hanging ones never give back.
     */
    @Test
    void hangingProvider_holdsOnlyItsOwnFetchBound_anotherProvidersMetricIsFetchedOnEveryTick() {
        var release = new CountDownLatch(1);
        var hanging = new AtomicInteger();
        ExecutorService fetchThreads = Executors.newVirtualThreadPerTaskExecutor(); // the slow functions block here
        toClose.add(fetchThreads::shutdownNow);
        FakeProvider slow = FakeProvider.inProcess(fetchThreads); // hangs on its own threads, not the caller's
        toClose.add(slow);
        var descriptors = new ArrayList<MetricDescriptor>();
        for (int i = 0; i < ProviderRuntime.MAX_CONCURRENT_FETCHES + 8; i++) {
            // a long interval: the fetch deadline (half of it, at most the provider's 30s) outlasts the test
            descriptors.add(FakeProvider.interval("slow-" + i, Duration.ofMinutes(10)));
            slow.metric("slow-" + i, request -> {
                hanging.incrementAndGet();
                release.await();
                return FetchResponse.newBuilder().setValue(1).build();
            });
        }
        slow.describe(descriptors.toArray(MetricDescriptor[]::new));
        FakeProvider quick = provider().describe(FakeProvider.interval("quick", Duration.ofMillis(100)))
                .value("quick", 1);
        toClose.add(release::countDown); // closed first: the hanging fetches end before their threads stop
        start("""
                  - name: slow
                    target: 127.0.0.1:1
                    deadline: 30s
                  - name: quick
                    target: 127.0.0.1:1
                    deadline: 30s
                """, config -> (config.name().equals("slow") ? slow : quick).inProcessChannel(), fetchThreads);
        // the slow provider answers Describe on its own threads: its first fetches are queued whenever that
        // lands, so due tasks run until they all started
        Await.until("every fetch permit of the slow provider held by a hanging fetch", WAIT, () -> {
            time.runDueTasks();
            return hanging.get() == ProviderRuntime.MAX_CONCURRENT_FETCHES;
        });
        Await.until("the quick metric's first fetch", WAIT, () -> read("quick").contains("\"value\":\"1\""));
        long before = quick.fetches("quick");

        for (int tick = 1; tick <= 20; tick++) {
            time.forward(Duration.ofMillis(100));
            long expected = before + tick;
            Await.until("the quick metric's fetch on tick " + tick, WAIT, () -> quick.fetches("quick") == expected);
        }

        assertThat(hanging.get()).as("the slow provider's other fetches wait for its own permits")
                .isEqualTo(ProviderRuntime.MAX_CONCURRENT_FETCHES);
        assertThat(read("quick")).contains("\"value\":\"1\"");
    }

    @Test
    void connectivity_isPublished_whenItChanges_unreachableOnceTheProviderStops_connectedWhenItIsBack() {
        FakeProvider provider = provider().value("m", 1);
        start("""
                  - name: p
                    target: 127.0.0.1:1
                    deadline: 30s
                    retry: {initial: 1s, max: 1s}
                    metrics: [{name: m, interval: 1s}]
                """, config -> provider.inProcessChannel());
        Instant started = time.clock().instant();
        time.runDueTasks();
        assertThat(cache.providers()).singleElement().satisfies(state -> {
            assertThat(state.connectivity()).isEqualTo(Connectivity.READY);
            assertThat(state.since()).isEqualTo(started);
        });

        provider.close();
        Await.until("the provider to be unreachable", WAIT, () -> {
            time.forward(Duration.ofSeconds(1)); // fetches fail, and gRPC tries to connect again
            return cache.providers().getFirst().connectivity() == Connectivity.TRANSIENT_FAILURE;
        });
        ProviderState down = cache.providers().getFirst();
        assertThat(down.reached()).as("reached once, still").isTrue();
        assertThat(down.since()).isAfter(started);

        provider.restart();
        Await.until("the provider to be connected again", WAIT, () -> {
            time.forward(Duration.ofSeconds(1));
            return cache.providers().getFirst().connectivity() == Connectivity.READY;
        });
        assertThat(cache.providers().getFirst().since()).isAfterOrEqualTo(down.since());
    }
}
