package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.Https;
import io.externalmetrics.adapter.testing.TestClock;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.Series;
import io.grpc.Status;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Providers that fail, stall, restart and push, against the real adapter over HTTPS: what an HPA
 * reads while they misbehave. Providers are real gRPC servers on 127.0.0.1.
 */
class ResilienceTest {

    private static final String VALUES = "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Adapter adapter;
    private HttpClient client;

    @AfterEach
    void closeAll() throws Exception {
        if (adapter != null) {
            adapter.close();
        }
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
    }

    private FakeProvider provider(int port) {
        FakeProvider provider = FakeProvider.start(port);
        toClose.add(provider);
        return provider;
    }

    private void startAdapter(Clock clock, String providersYaml) {
        adapter = Adapter.start(ConfigLoader.parse("server: {address: 127.0.0.1, port: 0}\nproviders:\n" + providersYaml),
                clock);
        client = Https.client(adapter.selfSignedCertificatePem().orElseThrow(), HttpClient.Version.HTTP_2);
    }

    private HttpResponse<String> read(String metricAndQuery) {
        return Https.get(client, "https://localhost:" + adapter.port() + VALUES + metricAndQuery);
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    /** The served values, or the Status code and message. */
    private String served(String metric) {
        HttpResponse<String> response = read(metric);
        JsonNode body = json(response);
        if (response.statusCode() != 200) {
            return response.statusCode() + " " + body.get("message").asText();
        }
        return String.join(",", body.get("items").valueStream().map(i -> i.get("value").asText()).toList());
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

    @Test
    void hangingProvider_doesNotDelayAnotherProvidersMetrics() {
        var release = new CountDownLatch(1);
        FakeProvider slow = provider(0).describe(FakeProvider.interval("slow", Duration.ofMillis(50)))
                .metric("slow", request -> {
                    release.await();
                    return FetchResponse.newBuilder().setValue(1).build();
                });
        toClose.add(release::countDown);
        AtomicLong counter = new AtomicLong();
        FakeProvider quick = provider(0).describe(FakeProvider.interval("quick", Duration.ofMillis(50)))
                .metric("quick", request -> FetchResponse.newBuilder().setValue(counter.incrementAndGet()).build());
        // the quick metric's long max age: a fetch slowed by a busy machine must not turn its answer into a 503
        startAdapter(Clock.systemUTC(), fast("slow", slow.port()) + fast("quick", quick.port())
                + "    metrics: [{name: quick, maxAge: 1m}]\n");

        Await.until("the hanging provider's deadline to pass", WAIT,
                () -> served("slow").startsWith("503") && served("slow").contains("DEADLINE_EXCEEDED"));
        long before = quick.fetches("quick");
        Await.until("20 more fetches of the quick provider", WAIT, () -> quick.fetches("quick") >= before + 20);

        assertThat(served("quick")).matches("\\d+");
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
                .endsWith("last value is 6s old (max age 5s)");
        assertThat(served("lenient")).isEqualTo("2");
        assertThat(served("fixed")).isEqualTo("500m");

        clock.advance(Duration.ofMinutes(1));
        assertThat(served("lenient")).startsWith("503 metric \"lenient\"").contains("backend down");

        provider.value("strict", 10).value("lenient", 20).value("fixed", 30);
        Await.until("recovery", WAIT, () -> served("strict").equals("10") && served("lenient").equals("20")
                && served("fixed").equals("30"));
        assertThat(adapter.cache().inventory()).allSatisfy(s -> assertThat(s.failure()).isEmpty());
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
        toClose.add(() -> gate.get().countDown());
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
            List<String> values = json(read("m?labelSelector=i")).get("items").valueStream()
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

        var notReady = Https.get(client, "https://localhost:" + adapter.port() + "/readyz");
        assertThat(notReady.statusCode()).isEqualTo(500);
        assertThat(notReady.body()).isEqualTo(
                "[+]ping ok\n[-]providers failed: not every provider has been reached yet\nreadyz check failed\n");
        var providersCheck = Https.get(client, "https://localhost:" + adapter.port() + "/readyz/providers");
        assertThat(providersCheck.statusCode()).isEqualTo(500);
        assertThat(providersCheck.body()).isEqualTo("internal server error: not every provider has been reached yet\n");
        assertThat(Https.get(client, "https://localhost:" + adapter.port() + "/livez").statusCode()).isEqualTo(200);
        assertThat(served("m")).startsWith("503").contains("provider \"p\"");
        assertThat(served("unknown")).startsWith("404").contains("not yet reached: provider \"p\" (");

        provider(port).value("m", 5);

        Await.until("ready", WAIT, () ->
                Https.get(client, "https://localhost:" + adapter.port() + "/readyz").statusCode() == 200);
        Await.until("the value", WAIT, () -> served("m").equals("5"));
    }
}
