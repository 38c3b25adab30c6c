package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.testing.FakeClock;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ticks on virtual time against an in-process provider: every fetch happens inside the test's own call. */
@Timeout(30)
class ReconcilerTest {

    private final FakeClock time = new FakeClock();
    private final FakeProvider provider = FakeProvider.inProcess().value("a", 1).value("b", 2).value("pushed", 3);
    private final ManagedChannel channel = provider.inProcessChannel();
    private final Reconciler reconciler = new Reconciler(time.scheduler(), info -> new MetricRefresher(info,
            Duration.ofSeconds(30), // gRPC deadlines run on real time: generous
            new MetricRefresher.Context(channel, new MetricCache(time.clock()),
                    Runnable::run, time.scheduler(), new Bulkhead(1), time.clock(),
                    new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), RandomGenerator.getDefault()),
                    ReplyRules.of(ProviderConfig.of("p", "in-process:1")), new MetricRefresher.Listener() {
                        @Override
                        public void succeeded() {
                        }

                        @Override
                        public void failed(Status.Code code) {
                        }
                    })));

    @AfterEach
    void close() {
        channel.shutdownNow();
        provider.close();
    }

    private static MetricInfo every(String name, Duration interval) {
        return new MetricInfo(new MetricKey("*", name), "p", new TriggerSpec.Interval(interval),
                interval.multipliedBy(3), OnErrorPolicy.error());
    }

    private static MetricInfo pushed(Duration maxAge) {
        return new MetricInfo(new MetricKey("*", "pushed"), "p", new TriggerSpec.Push(), maxAge, OnErrorPolicy.error());
    }

    @Test
    void reconcile_newMetrics_areFetchedAtOnce_thenOnEveryTick() {
        var change = reconciler.reconcile(
                List.of(every("a", Duration.ofSeconds(1)), every("b", Duration.ofMillis(250))));
        time.runDueTasks();

        assertThat(List.of(provider.fetches("a"), provider.fetches("b"))).containsExactly(1L, 1L);
        time.forward(Duration.ofSeconds(1));
        assertThat(List.of(provider.fetches("a"), provider.fetches("b"))).containsExactly(2L, 5L);
        assertThat(change).isEqualTo(new Reconciler.Change(false));
        assertThat(reconciler.fetchCounts()).containsEntry(new MetricKey("*", "a"), 2L)
                .containsEntry(new MetricKey("*", "b"), 5L);
    }

    @Test
    void reconcile_manyMetrics_areFetchedAtOnce_thenTickedSpreadOverTheirPeriod() {
        reconciler.reconcile(IntStream.range(0, 1000)
                .mapToObj(i -> every("queue-" + i, Duration.ofSeconds(30)))
                .toList());

        List<Duration> delays = time.pendingDelays();
        assertThat(delays.stream().filter(Duration::isZero)).as("first fetches, at once").hasSize(1000);
        // each metric's tick, then: ten 3 s slices of the period hold about 100 each, not all in one
        int[] perSlice = new int[10];
        delays.stream().filter(d -> !d.isZero()).forEach(d -> {
            assertThat(d).isLessThan(Duration.ofSeconds(30));
            perSlice[(int) (d.toMillis() / 3000)]++;
        });
        assertThat(IntStream.of(perSlice).boxed().toList()).allSatisfy(n -> assertThat(n).isBetween(50, 150));
    }

    @Test
    void reconcile_pushMetric_isFetchedEveryThirdOfItsMaxAge() {
        reconciler.reconcile(List.of(pushed(Duration.ofSeconds(3))));
        time.forward(Duration.ofSeconds(3));

        assertThat(provider.fetches("pushed")).isEqualTo(4); // at 0, 1s, 2s and 3s
    }

    @Test
    void reconcile_unchangedMetric_keepsItsRefresherAndItsTick() {
        reconciler.reconcile(List.of(every("a", Duration.ofSeconds(1))));
        time.runDueTasks();
        MetricRefresher before = reconciler.refresher(new MetricKey("*", "a")).orElseThrow();

        var change = reconciler.reconcile(List.of(every("a", Duration.ofSeconds(1))));
        time.runDueTasks();

        assertThat(reconciler.refresher(new MetricKey("*", "a"))).containsSame(before);
        assertThat(provider.fetches("a")).as("no new first tick").isEqualTo(1);
        assertThat(time.pendingTasks()).isEqualTo(1);
        assertThat(change).isEqualTo(new Reconciler.Change(false));
    }

    @Test
    void reconcile_changedInterval_replacesTheRefresherAndItsTick() {
        reconciler.reconcile(List.of(every("a", Duration.ofSeconds(1))));
        time.runDueTasks();
        MetricRefresher before = reconciler.refresher(new MetricKey("*", "a")).orElseThrow();

        var change = reconciler.reconcile(List.of(every("a", Duration.ofMillis(100))));
        time.forward(Duration.ofSeconds(1));

        assertThat(reconciler.refresher(new MetricKey("*", "a")).orElseThrow()).isNotSameAs(before);
        assertThat(provider.fetches("a")).isEqualTo(1 + 11); // the old tick is gone: 0, 100ms, ... 1s
        assertThat(time.pendingTasks()).isEqualTo(1);
        assertThat(change.gaveUp()).as("still served").isFalse();
    }

    @Test
    void reconcile_removedMetric_stopsFetchingIt_andSaysSomethingWasGivenUp() {
        reconciler.reconcile(List.of(every("a", Duration.ofSeconds(1)), every("b", Duration.ofSeconds(1))));
        time.runDueTasks();

        var change = reconciler.reconcile(List.of(every("a", Duration.ofSeconds(1))));
        time.forward(Duration.ofSeconds(10));

        assertThat(change.gaveUp()).isTrue();
        assertThat(provider.fetches("b")).isEqualTo(1);
        assertThat(provider.fetches("a")).isEqualTo(11);
        assertThat(reconciler.refresher(new MetricKey("*", "b"))).isEmpty();
        assertThat(time.pendingTasks()).isEqualTo(1);
    }

    @Test
    void reconcile_pushMetricWithATinyMaxAge_isTickedEveryTenMilliseconds() {
        // a third of a 3ns max age (Describe may give one; an interval that short is refused) would be 1ns
        reconciler.reconcile(List.of(pushed(Duration.ofNanos(3))));

        time.forward(Duration.ofMillis(100));

        assertThat(provider.fetches("pushed")).isEqualTo(11);
    }

    @Test
    void stopAll_stopsEveryTick() {
        reconciler.reconcile(List.of(every("a", Duration.ofSeconds(1)), pushed(Duration.ofSeconds(3))));
        time.runDueTasks();

        reconciler.stopAll();
        time.forward(Duration.ofMinutes(1));

        assertThat(List.of(provider.fetches("a"), provider.fetches("pushed"))).containsExactly(1L, 1L);
        assertThat(time.pendingTasks()).isZero();
        assertThat(reconciler.refreshers()).isEmpty();
    }
}
