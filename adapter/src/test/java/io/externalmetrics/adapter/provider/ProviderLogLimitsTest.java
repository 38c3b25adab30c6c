package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.ProviderState.Connectivity;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeClock;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.proto.v1.FetchResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an operator's log gets from providers that keep failing, over many retries on virtual time:
 * a line when the state changes, and while it flaps at most a line per state every 30 seconds.
 */
@Timeout(60)
class ProviderLogLimitsTest {

    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

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

    private void start(FakeProvider provider) {
        toClose.add(provider);
        List<ProviderConfig> providers = ConfigLoader.parse("""
                providers:
                  - name: p
                    target: 127.0.0.1:1
                    deadline: 30s
                    retry: {initial: 1s, max: 1s}
                    metrics: [{name: m, interval: 1s, maxAge: 1h}]
                """).providers();
        toClose.add(ProviderManager.start(providers, cache, config -> {
            ManagedChannel channel = provider.inProcessChannel();
            channels.add(channel);
            return channel;
        }, new ProviderManager.Environment(time.scheduler(), Runnable::run, time.clock(), time.ticker())));
    }

    /** What the provider package logged at INFO and above. */
    private static LogRecords logs() {
        return LogRecords.of(ProviderRuntime.class.getPackageName());
    }

    @Test
    void aMetricThatKeepsFailing_isLoggedOnce_overHundredsOfRetries() {
        FakeProvider provider = FakeProvider.inProcess()
                .failing("m", Status.INTERNAL.withDescription("backend down"));
        try (LogRecords logs = logs()) {
            start(provider);

            time.forward(TEN_MINUTES);

            assertThat(provider.fetches("m")).isGreaterThan(300);
            assertThat(logs.atLeast(Level.WARNING)).containsExactly(
                    "provider \"p\": fetching metric */m failed: INTERNAL: backend down; retrying with backoff");
        }
    }

    @Test
    void aMetricThatFlaps_logsAtMostALinePerStateEvery30s_sayingHowOftenItRecurred() {
        AtomicLong calls = new AtomicLong();
        FakeProvider provider = FakeProvider.inProcess().metric("m", request -> {
            if (calls.incrementAndGet() % 2 == 0) {
                throw Status.UNAVAILABLE.withDescription("backend flapping").asRuntimeException();
            }
            return FetchResponse.newBuilder().setValue(1).build();
        });
        try (LogRecords logs = logs()) {
            start(provider);

            time.forward(TEN_MINUTES);

            assertThat(calls.get()).as("fetches").isGreaterThan(500);
            List<String> lines = logs.atLeast(Level.INFO).stream()
                    .filter(line -> line.contains("metric */m"))
                    .toList();
            // 20 half-minutes, each with at most one failure line and one recovery line
            assertThat(lines).hasSizeBetween(2, 2 * 21);
            assertThat(lines).anyMatch(line -> line.startsWith("provider \"p\": fetching metric */m failed: "
                    + "UNAVAILABLE: backend flapping; retrying with backoff (again "));
            assertThat(lines).anyMatch(line -> line.startsWith(
                    "provider \"p\": metric */m recovered after 1 failed fetches (again "));
        }
    }

    @Test
    void aProviderThatKeepsRestarting_logsWhatItServesOnce_andAgainOnlyWhenThatChanges() {
        FakeProvider provider = FakeProvider.inProcess()
                .describe(FakeProvider.interval("m", Duration.ofSeconds(1)))
                .value("m", 1)
                .value("n", 2);
        try (LogRecords logs = logs()) {
            start(provider);
            time.runDueTasks();
            for (int restart = 1; restart <= 3; restart++) {
                restart(provider);
            }
            provider.describe(FakeProvider.interval("m", Duration.ofSeconds(1)),
                    FakeProvider.interval("n", Duration.ofSeconds(1)));
            restart(provider);

            // the replies are applied in the order they came: once the changed one is, all are
            Await.until("the changed set to be logged", Duration.ofSeconds(20), () -> logs.atLeast(Level.INFO).stream()
                    .anyMatch(line -> line.contains(": serving 2 metrics")));
            assertThat(provider.describeCalls()).as("Describe calls").isGreaterThanOrEqualTo(5);
            assertThat(logs.atLeast(Level.INFO).stream().filter(line -> line.contains(": serving "))).containsExactly(
                    "provider \"p\" at 127.0.0.1:1: serving 1 metrics: [*/m (every 1s, max age 1h)]",
                    "provider \"p\" at 127.0.0.1:1: serving 2 metrics: [*/m (every 1s, max age 1h), "
                            + "*/n (every 1s, max age 3s)]");
        }
    }

    @Test
    void theServingLine_namesTheFirstTwentyMetrics_andCountsTheRest() {
        List<String> metrics = java.util.stream.IntStream.range(0, 10_000)
                .mapToObj(i -> "*/m%05d (every 30s, max age 1m30s)".formatted(i)).toList();

        String line = ProviderRuntime.serving(metrics);

        assertThat(line).startsWith("serving 10000 metrics: [*/m00000 (every 30s, max age 1m30s), ")
                .contains("*/m00019 (every 30s").doesNotContain("*/m00020")
                .endsWith("] and 9980 more (every one in /debug/inventory)");
        assertThat(ProviderRuntime.serving(metrics.subList(0, 20))).doesNotContain("more");
    }

    /** Stops the provider until the runtime notices, then starts it again until it was described again. */
    private void restart(FakeProvider provider) {
        int described = provider.describeCalls();
        provider.close();
        Await.until("the provider to be down", Duration.ofSeconds(20), () -> {
            time.forward(Duration.ofSeconds(1));
            return cache.providers().getFirst().connectivity() != Connectivity.READY;
        });
        provider.restart();
        Await.until("the provider to be described again", Duration.ofSeconds(20), () -> {
            time.forward(Duration.ofSeconds(1));
            return provider.describeCalls() > described;
        });
    }
}
