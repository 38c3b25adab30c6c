package io.externalmetrics.adapter;

import static io.externalmetrics.adapter.testing.TestAdapter.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.Closer;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestClock;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricDescriptor;
import io.externalmetrics.proto.v1.Series;
import io.grpc.Context;
import io.grpc.Status;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Providers that fail, stall, restart and push, against the real adapter over HTTPS: what an HPA
 * reads while they misbehave. Providers are real gRPC servers on 127.0.0.1.
 */
class ResilienceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Closer closer = new Closer();
    private TestAdapter adapter;

    private FakeProvider provider(int port) {
        return closer.register(FakeProvider.start(port));
    }

    private void startAdapter(Clock clock, String providersYaml) {
        adapter = closer.register(TestAdapter.withProviders(clock, providersYaml));
    }

    private HttpResponse<String> read(String metricAndQuery) {
        return adapter.read(metricAndQuery);
    }

    private String served(String metric) {
        return adapter.served(metric);
    }

    private static String fast(String name, int port) {
        return """
                  - name: %s
                    target: 127.0.0.1:%d
                    deadline: 1s
                    retry: {initial: 20ms, max: 200ms}
                """.formatted(name, port);
    }

    @Test
    void providerKilledAndRestartedOnTheSamePort_valuesResume() {
        FakeProvider first = provider(0).describe(FakeProvider.interval("m", Duration.ofMillis(50))).value("m", 1);
        int port = first.port();
        startAdapter(Clock.systemUTC(), fast("p", port));
        Await.until("the first value", WAIT, () -> served("m").equals("1"));

        first.close();
        Await.until("a recorded failure", WAIT, () -> adapter.cache().inventory().getFirst().failure().isPresent());
        FakeProvider second = provider(port).describe(FakeProvider.interval("m", Duration.ofMillis(50))).value("m", 2);

        Await.until("the restarted provider's value", WAIT, () -> served("m").equals("2"));
        assertThat(second.describeCalls()).as("Describe asked again after the reconnect").isPositive();
    }

    /**
     * A provider whose every fetch hangs, over real sockets: its metrics answer 503 naming the deadline
     * that ended each fetch, while another provider's metric is served. That the hanging provider holds
     * only its own bound of concurrent fetches, and the other metric keeps every tick, is counted
     * exactly on virtual time ({@code ProviderRuntimeTest.hangingProvider_holdsOnlyItsOwnFetchBound_...}).
     */
    @Test
    void hangingProvider_doesNotDelayAnotherProvidersMetrics() {
        AtomicInteger hangingNow = new AtomicInteger();
        FakeProvider slow = provider(0);
        var descriptors = new ArrayList<MetricDescriptor>();
        for (int i = 0; i < 40; i++) {
            String name = "slow-" + i;
            descriptors.add(FakeProvider.interval(name, Duration.ofSeconds(2))); // fetch deadline: 1s
            slow.metric(name, request -> {
                hangingNow.incrementAndGet();
                try {
                    return hangUntilCancelled();
                } finally {
                    hangingNow.decrementAndGet();
                }
            });
        }
        slow.describe(descriptors.toArray(MetricDescriptor[]::new));
        AtomicLong counter = new AtomicLong();
        FakeProvider quick = provider(0).describe(FakeProvider.interval("quick", Duration.ofMillis(100)))
                .metric("quick", request -> FetchResponse.newBuilder().setValue(counter.incrementAndGet()).build());
        // the quick metric's long max age: a fetch slowed by a busy machine must not turn its answer into a 503
        startAdapter(Clock.systemUTC(), fast("slow", slow.port()) + fast("quick", quick.port())
                + "    metrics: [{name: quick, maxAge: 1m}]\n");
        Await.until("every fetch permit of the slow provider held by a hanging fetch", WAIT,
                () -> hangingNow.get() >= 32);
        long before = counter.get();

        Await.until("the hanging provider's deadline to pass", WAIT,
                () -> served("slow-0").startsWith("503") && served("slow-0").contains("DEADLINE_EXCEEDED"));
        Await.until("newer values of the quick provider meanwhile", WAIT, () -> counter.get() >= before + 5);
        assertThat(Long.parseLong(served("quick"))).isGreaterThan(before);
    }

    /** A Fetch that answers nothing until the adapter gives up on it (its deadline) or the test ends. */
    private static FetchResponse hangUntilCancelled() throws InterruptedException {
        var cancelled = new CountDownLatch(1);
        Context.current().addListener(context -> cancelled.countDown(), Runnable::run);
        cancelled.await();
        throw Status.CANCELLED.asRuntimeException();
    }

    @Test
    void failingProvider_lastGoodValueUntilMaxAge_thenEachPolicysAnswer_thenRecovery() {
        var clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
        FakeProvider provider = provider(0).value("strict", 1).value("lenient", 2).value("fixed", 3);
        startAdapter(clock, fast("p", provider.port()) + """
                    metrics:
                      - {name: strict, interval: 1s, maxAge: 5s}
                      - {name: lenient, interval: 1s, maxAge: 5s, onError: lastKnownGood, lastKnownGoodFor: 1m}
                      - {name: fixed, interval: 1s, maxAge: 5s, onError: static, staticValue: "0.5"}
                """);
        Await.until("first values", WAIT, () -> served("strict").equals("1") && served("lenient").equals("2")
                && served("fixed").equals("3"));

        for (String name : List.of("strict", "lenient", "fixed")) {
            provider.failing(name, Status.UNAVAILABLE.withDescription("backend down"));
        }
        Await.until("failures recorded", WAIT, () -> adapter.cache().inventory().stream()
                .allMatch(s -> s.failure().isPresent()));
        clock.advance(Duration.ofSeconds(4));
        assertThat(List.of(served("strict"), served("lenient"), served("fixed"))).containsExactly("1", "2", "3");

        clock.advance(Duration.ofSeconds(2));
        assertThat(served("strict")).startsWith("503 metric \"strict\" in namespace \"default\": provider \"p\" "
                + "failing since 2026-11-25T10:00:00Z (UNAVAILABLE: backend down, ")
                .endsWith("last value fetched 6.0s ago (max age 5s)");
        assertThat(served("lenient")).isEqualTo("2");
        assertThat(timestamps("lenient")).as("the last good value's own time, not the time of the read")
                .containsExactly("2026-11-25T10:00:00Z");
        assertThat(served("fixed")).isEqualTo("500m");

        clock.advance(Duration.ofMinutes(1));
        assertThat(served("lenient")).startsWith("503 metric \"lenient\"").contains("backend down");

        provider.value("strict", 10).value("lenient", 20).value("fixed", 30);
        Await.until("recovery", WAIT, () -> served("strict").equals("10") && served("lenient").equals("20")
                && served("fixed").equals("30"));
        assertThat(adapter.cache().inventory()).allSatisfy(s -> assertThat(s.failure()).isEmpty());
    }

    @Test
    void providerRelayingAnHourOldObservation_getsEachPolicysAnswer() {
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        // the provider answers every fetch at once, with the time its source last updated
        FakeProvider provider = provider(0)
                .metric("strict", request -> observedAt(hourAgo, 1))
                .metric("lenient", request -> observedAt(hourAgo, 2))
                .metric("fixed", request -> observedAt(hourAgo, 3));
        startAdapter(Clock.systemUTC(), fast("p", provider.port()) + """
                    metrics:
                      - {name: strict, interval: 1s, maxAge: 3s}
                      - {name: lenient, interval: 1s, maxAge: 3s, onError: lastKnownGood, lastKnownGoodFor: 2h}
                      - {name: fixed, interval: 1s, maxAge: 3s, onError: static, staticValue: "0.5"}
                """);
        Await.until("every metric fetched", WAIT, () -> adapter.cache().inventory().stream()
                .allMatch(s -> s.sample().isPresent()));

        assertThat(served("strict")).startsWith("503 metric \"strict\" in namespace \"default\": provider \"p\" "
                        + "has not delivered a fresh value; last value observed 1h")
                .endsWith(" ago (max age 3s)");
        assertThat(served("lenient")).isEqualTo("2");
        assertThat(timestamps("lenient")).containsExactly(hourAgo.toString());
        assertThat(served("fixed")).isEqualTo("500m");
        assertThat(provider.fetches("strict")).as("fetched, and fine, all along").isPositive();
    }

    @Test
    void observationInTheFuture_withinTheAllowanceIsServed_beyondItTheFetchTimeIs_loggedOnce() {
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant minuteAhead = start.plus(Duration.ofMinutes(1));
        Instant farAhead = start.plus(Duration.ofMinutes(10));
        FakeProvider provider = provider(0)
                .metric("ahead", request -> observedAt(minuteAhead, 1))
                .metric("far-ahead", request -> observedAt(farAhead, 2))
                .metric("far-ahead-too", request -> observedAt(farAhead, 3));
        try (LogRecords logs = LogRecords.of("io.externalmetrics.adapter.provider.ReplyRules")) {
            startAdapter(Clock.systemUTC(), fast("skewed", provider.port()) + """
                        maxClockSkew: 2m
                        metrics:
                          - {name: ahead, interval: 50ms, maxAge: 1m}
                          - {name: far-ahead, interval: 50ms, maxAge: 1m}
                          - {name: far-ahead-too, interval: 50ms, maxAge: 1m}
                    """);
            Await.until("several fetches of each metric", WAIT, () -> provider.fetches("ahead") >= 5
                    && provider.fetches("far-ahead") >= 5 && provider.fetches("far-ahead-too") >= 5);

            assertThat(served("ahead")).isEqualTo("1");
            assertThat(timestamps("ahead")).as("the provider's time").containsExactly(minuteAhead.toString());
            assertThat(served("far-ahead")).isEqualTo("2");
            Instant served = Instant.parse(timestamps("far-ahead").getFirst());
            assertThat(served).as("the time of the fetch, not the provider's").isBetween(start, Instant.now());
            assertThat(logs.atLeast(Level.WARNING)).singleElement().asString()
                    .startsWith("provider \"skewed\": metric \"far-ahead")
                    .contains("observed at " + farAhead + ", 9m", " ahead of the adapter's clock, beyond the "
                            + "provider's maxClockSkew of 2m: such values are timestamped and aged from their fetch");
        }
    }

    @Test
    void defaultMaxAge_isThreeIntervals_orAMinuteForPush_asTheStatusMessageSays() {
        var clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
        FakeProvider provider = provider(0).value("ticking", 1).value("pushed", 2);
        startAdapter(clock, fast("p", provider.port()) + """
                    metrics:
                      - {name: ticking, interval: 1s}
                      - {name: pushed, push: true}
                """);
        Await.until("first values", WAIT, () -> served("ticking").equals("1") && served("pushed").equals("2"));
        provider.failing("ticking", Status.UNAVAILABLE.withDescription("backend down"))
                .failing("pushed", Status.UNAVAILABLE.withDescription("backend down"));
        Await.until("a failure of the interval metric", WAIT, () -> adapter.cache().inventory().stream()
                .filter(s -> s.info().key().name().equals("ticking")).allMatch(s -> s.failure().isPresent()));

        clock.advance(Duration.ofMillis(3500));
        assertThat(served("ticking")).startsWith("503 metric \"ticking\"")
                .endsWith("; last value fetched 3.5s ago (max age 3s)");
        assertThat(served("pushed")).isEqualTo("2");

        clock.advance(Duration.ofMillis(57_500));
        assertThat(served("pushed")).startsWith("503 metric \"pushed\"")
                .endsWith("; last value fetched 1m1s ago (max age 1m)");
    }

    @Test
    void replyWithMoreLabelsPerSeriesThanTheLimit_isA503NamingTheLimit() {
        FakeProvider provider = provider(0)
                .metric("two", request -> FetchResponse.newBuilder().addSeries(Series.newBuilder()
                        .putLabels("a", "1").putLabels("b", "2").setValue(2)).build())
                .metric("three", request -> FetchResponse.newBuilder().addSeries(Series.newBuilder()
                        .putLabels("a", "1").putLabels("b", "2").putLabels("c", "3").setValue(3)).build());
        startAdapter(Clock.systemUTC(), """
                  - name: p
                    target: 127.0.0.1:%d
                    deadline: 10s
                    maxLabelsPerSeries: 2
                    metrics:
                      - {name: two, interval: 30s}
                      - {name: three, interval: 30s}
                """.formatted(provider.port()));

        Await.until("every metric answered", WAIT, () -> adapter.cache().inventory().stream()
                .allMatch(s -> s.sample().isPresent() || s.failure().isPresent()));

        assertThat(served("two")).isEqualTo("2");
        assertThat(served("three")).startsWith("503 metric \"three\"")
                .contains("invalid reply: series 0 has 3 labels, more than the limit of 2");
    }

    private static FetchResponse observedAt(Instant at, double value) {
        return FetchResponse.newBuilder().setValue(value)
                .setObservedAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
                .build();
    }

    /** The served items' timestamps. */
    private List<String> timestamps(String metric) {
        return items(read(metric)).valueStream().map(i -> i.get("timestamp").asText()).toList();
    }

    @Test
    void pushBurst_isCoalesced_andTheLatestValueWins() {
        AtomicLong value = new AtomicLong();
        AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
        FakeProvider provider = provider(0).describe(FakeProvider.push("pushed", Duration.ofMinutes(10)))
                .metric("pushed", request -> {
                    gate.get().await(); // held shut during the burst: every event arrives during one fetch
                    return FetchResponse.newBuilder().setValue(value.get()).build();
                });
        closer.register(() -> gate.get().countDown());
        startAdapter(Clock.systemUTC(), fast("p", provider.port()));
        Await.until("the Watch stream", WAIT, () -> provider.openWatchStreams() == 1 && served("pushed").equals("0"));
        long before = provider.fetches("pushed");

        gate.set(new CountDownLatch(1));
        for (int i = 1; i <= 1000; i++) {
            value.set(i);
            provider.fire("pushed");
        }
        Await.until("the fetch the first event started", WAIT, () -> provider.fetches("pushed") > before);
        gate.get().countDown();

        Await.until("the last value", WAIT, () -> served("pushed").equals("1k"));
        assertThat(provider.fetches("pushed") - before).isBetween(1L, 50L);
    }

    @Test
    void brokenWatchStream_reconnects_fetchesOnReconnect_andEventsFlowAgain() {
        AtomicLong value = new AtomicLong(1);
        FakeProvider provider = provider(0).describe(FakeProvider.push("pushed", Duration.ofMinutes(10)))
                .metric("pushed", request -> FetchResponse.newBuilder().setValue(value.get()).build());
        startAdapter(Clock.systemUTC(), fast("p", provider.port()));
        Await.until("the Watch stream", WAIT, () -> provider.openWatchStreams() == 1 && served("pushed").equals("1"));

        value.set(2); // changed without an event: only the fetch on reconnect can see it
        provider.breakWatchStreams();

        Await.until("a new Watch stream", WAIT, () -> provider.watchCalls() >= 2 && provider.openWatchStreams() == 1);
        Await.until("the value fetched on reconnect", WAIT, () -> served("pushed").equals("2"));
        value.set(3);
        provider.fire("pushed");
        Await.until("an event on the new stream", WAIT, () -> served("pushed").equals("3"));
    }

    @Test
    void readsDuringRefreshes_seeEitherTheWholeOldOrTheWholeNewValue() {
        AtomicLong generation = new AtomicLong();
        FakeProvider provider = provider(0).describe(FakeProvider.interval("m", Duration.ofMillis(20)))
                .metric("m", request -> {
                    long n = generation.incrementAndGet();
                    var reply = FetchResponse.newBuilder();
                    for (int i = 0; i < 50; i++) {
                        reply.addSeries(Series.newBuilder().putLabels("i", Integer.toString(i)).setValue(n));
                    }
                    return reply.build();
                });
        // a long max age: this test is about atomic swaps, not freshness on a busy machine
        startAdapter(Clock.systemUTC(), fast("p", provider.port()) + "    metrics: [{name: m, maxAge: 1m}]\n");
        Await.until("a first value", WAIT, () -> read("m").statusCode() == 200);

        var seen = new HashSet<String>();
        for (int read = 0; read < 300; read++) {
            List<String> values = items(read("m?labelSelector=i")).valueStream()
                    .map(item -> item.get("value").asText()).toList();
            assertThat(values).hasSize(50).containsOnly(values.getFirst());
            seen.add(values.getFirst());
        }
        assertThat(seen).as("values changed while reading").hasSizeGreaterThan(1);
    }

    @Test
    void malformedReplies_areRejectedAndNeverServed() {
        var many = FetchResponse.newBuilder();
        for (int i = 0; i < 100_000; i++) {
            many.addSeries(Series.newBuilder().putLabels("i", Integer.toString(i)).setValue(i));
        }
        FetchResponse tooMany = many.build();
        FakeProvider provider = provider(0)
                .metric("nan", request -> FetchResponse.newBuilder().setValue(Double.NaN).build())
                .metric("infinite", request -> FetchResponse.newBuilder().setValue(Double.parseDouble("1e400")).build())
                .metric("bad-label", request -> FetchResponse.newBuilder()
                        .addSeries(Series.newBuilder().putLabels("some key", "A").setValue(1)).build())
                .metric("too-many", request -> tooMany)
                .value("fine", 1);
        // generous deadlines: the reasons asserted below must not be replaced by a DEADLINE_EXCEEDED on a slow machine
        startAdapter(Clock.systemUTC(), """
                  - name: p
                    target: 127.0.0.1:%d
                    deadline: 10s
                    metrics:
                      - {name: nan, interval: 30s}
                      - {name: infinite, interval: 30s}
                      - {name: bad-label, interval: 30s}
                      - {name: too-many, interval: 30s}
                      - {name: fine, interval: 30s}
                """.formatted(provider.port()));

        Await.until("every metric answered", WAIT, () -> adapter.cache().inventory().stream()
                .allMatch(s -> s.sample().isPresent() || s.failure().isPresent()));

        assertThat(served("nan")).startsWith("503").contains("invalid reply: value is NaN");
        assertThat(served("infinite")).startsWith("503").contains("invalid reply: value is Infinity");
        assertThat(served("bad-label")).startsWith("503").contains("invalid reply: series 0: label key \"some key\"");
        assertThat(served("too-many")).startsWith("503")
                .contains("invalid reply: 100000 series, more than the limit of 10000");
        assertThat(served("fine")).isEqualTo("1");
    }

    @Test
    void largeReply_isServedUpToMaxReplyBytes_andAboveItIsA503() {
        // the most series a reply may carry, 10 labels of ~60 characters each: ~7.7 MB
        var big = FetchResponse.newBuilder();
        for (int i = 0; i < 10_000; i++) {
            var series = Series.newBuilder().setValue(i);
            for (int label = 0; label < 10; label++) {
                series.putLabels("label-" + label, label(i, label));
            }
            big.addSeries(series);
        }
        FetchResponse reply = big.build();
        assertThat(reply.getSerializedSize()).isGreaterThan(7_000_000);
        FakeProvider provider = provider(0).metric("big", request -> reply)
                .metric("capped", request -> FetchResponse.newBuilder()
                        .addSeries(Series.newBuilder().putLabels("label", "x".repeat(60)).setValue(1))
                        .build());
        startAdapter(Clock.systemUTC(), """
                  - name: big
                    target: 127.0.0.1:%1$d
                    deadline: 10s
                    metrics: [{name: big, interval: 30s}]
                  - name: capped
                    target: 127.0.0.1:%1$d
                    deadline: 10s
                    maxReplyBytes: 50
                    metrics: [{name: capped, interval: 30s}]
                """.formatted(provider.port()));

        Await.until("every metric answered", WAIT, () -> adapter.cache().inventory().stream()
                .allMatch(s -> s.sample().isPresent() || s.failure().isPresent()));

        assertThat(served("big?labelSelector=label-3%3D" + label(9_999, 3))).isEqualTo("9999");
        assertThat(served("capped")).startsWith("503").contains("RESOURCE_EXHAUSTED");
    }

    private static String label(int series, int label) {
        return "%05d-%d-".formatted(series, label) + "v".repeat(52);
    }

    @Test
    void providerChangingItsMetrics_newOnesAppear_removedOnesAnswer404AfterTheirMaxAge() {
        FakeProvider first = provider(0).value("old", 1)
                .describe(FakeProvider.interval("old", Duration.ofMillis(50)));
        int port = first.port();
        startAdapter(Clock.systemUTC(), fast("p", port));
        Await.until("the old metric", WAIT, () -> served("old").equals("1"));

        first.close();
        provider(port).value("new", 2).describe(FakeProvider.interval("new", Duration.ofMillis(50)));

        Await.until("the new metric", WAIT, () -> served("new").equals("2"));
        Await.until("the retired metric to be gone (max age 150ms)", WAIT, () -> served("old").startsWith("404"));
    }

    @Test
    void readiness_waitsForProvidersButLivenessDoesNot() {
        FakeProvider probe = FakeProvider.start(0);
        int port = probe.port();
        probe.close(); // a free port with nobody listening
        startAdapter(Clock.systemUTC(), fast("p", port) + "    metrics: [{name: m, interval: 50ms}]\n");

        var notReady = adapter.get("/readyz");
        assertThat(notReady.statusCode()).isEqualTo(500);
        assertThat(notReady.body()).isEqualTo(
 "[+]ping ok\n[-]providers failed: not every provider has been reached yet\n"
                        + "[+]authentication ok\nreadyz check failed\n");
        var providersCheck = adapter.get("/readyz/providers");
        assertThat(providersCheck.statusCode()).isEqualTo(500);
        assertThat(providersCheck.body()).isEqualTo("internal server error: not every provider has been reached yet\n");
        assertThat(adapter.get("/livez").statusCode()).isEqualTo(200);
        assertThat(served("m")).startsWith("503").contains("provider \"p\"");
        assertThat(served("unknown")).startsWith("404").contains("not yet reached: provider \"p\" (");

        provider(port).value("m", 5);

        Await.until("ready", WAIT, () -> adapter.get("/readyz").statusCode() == 200);
        Await.until("the value", WAIT, () -> served("m").equals("5"));
    }
}
