package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.MetricState;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeClock;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.Https;
import io.externalmetrics.adapter.testing.PromText;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.proto.v1.FetchResponse;
import io.grpc.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} of a real adapter, read over HTTPS as Prometheus reads it. */
class MetricsEndpointTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    /** A provider at {@code port} with metrics served everywhere; one fetch each (the interval is an hour). */
    private static String provider(String name, int port, String... metrics) {
        var yaml = new StringBuilder("""
                  - name: %s
                    target: 127.0.0.1:%d
                    retry: {initial: 20ms, max: 100ms}
                    metrics:
                """.formatted(name, port));
        for (String metric : metrics) {
            yaml.append("      - {name: ").append(metric).append(", interval: 1h, maxAge: 2h}\n");
        }
        return yaml.toString();
    }

    private static Map<String, String> metric(String provider, String name) {
        return Map.of("provider", provider, "namespace", "*", "metric", name);
    }

    private static Map<String, String> fetches(String provider, String name, String result) {
        return Map.of("provider", provider, "namespace", "*", "metric", name, "result", result);
    }

    private static PromText scrape(TestAdapter adapter) {
        HttpResponse<String> response = TestAdapter.ok(adapter.get("/metrics"));
        assertThat(response.headers().firstValue("content-type")).contains(TEXT_FORMAT);
        return PromText.parse(response.body());
    }

    @Test
    void values_ages_fetchResults_andPolicyAnswers_areExposed() {
        var time = new FakeClock();
        try (FakeProvider p = FakeProvider.start(0).value("depth", 42)
                .failing("broken", Status.UNAVAILABLE)
                .value("nan", Double.NaN);
             TestAdapter adapter = TestAdapter.withProviders(time.clock(),
                     provider("p", p.port(), "depth", "broken", "nan"))) {
            // watched in the cache, not by reads: a read before the first value is a policy answer of its own
            Await.until("depth fetched", WAIT, () -> adapter.cache().state(new MetricKey("*", "depth"))
                    .flatMap(MetricState::sample).isPresent());
            assertThat(adapter.served("depth")).isEqualTo("42");
            Await.until("broken and nan retried", WAIT, () -> p.fetches("broken") >= 3 && p.fetches("nan") >= 3);
            time.forward(Duration.ofSeconds(7));
            assertThat(adapter.read("broken").statusCode()).isEqualTo(503);
            // a fetch is counted after its value is recorded, and timed after it is counted; broken keeps
            // retrying, so wait for a scrape with every fetch so far counted and timed
            var settled = new AtomicReference<PromText>();
            Await.until("the fetches counted and timed", WAIT, () -> {
                PromText scraped = scrape(adapter);
                settled.set(scraped);
                return scraped.value("externalmetrics_metric_fetch_duration_seconds_count", metric("p", "depth"))
                        .isPresent()
                        && scraped.get("externalmetrics_metric_fetches_total", fetches("p", "nan", "invalid")) >= 3
                        && scraped.get("externalmetrics_metric_fetch_duration_seconds_count", metric("p", "broken"))
                        == scraped.get("externalmetrics_metric_fetches_total", fetches("p", "broken", "error"));
            });
            PromText text = settled.get();

            assertThat(text.get("externalmetrics_metric_base_value", metric("p", "depth"))).isEqualTo(42);
            assertThat(text.get("externalmetrics_metric_age_seconds", metric("p", "depth"))).isEqualTo(7);
            assertThat(text.get("externalmetrics_metric_max_age_seconds", metric("p", "depth"))).isEqualTo(7200);
            // no value yet: no value or age, rather than a zero that looks like one
            assertThat(text.value("externalmetrics_metric_base_value", metric("p", "broken"))).isEmpty();
            assertThat(text.value("externalmetrics_metric_age_seconds", metric("p", "broken"))).isEmpty();

            assertThat(text.get("externalmetrics_metric_fetches_total", fetches("p", "depth", "ok"))).isEqualTo(1);
            assertThat(text.value("externalmetrics_metric_fetches_total", fetches("p", "depth", "error"))).isEmpty();
            assertThat(text.get("externalmetrics_metric_fetches_total", fetches("p", "broken", "error")))
                    .isGreaterThanOrEqualTo(3);
            assertThat(text.get("externalmetrics_metric_fetches_total", fetches("p", "nan", "invalid")))
                    .isGreaterThanOrEqualTo(3);
            assertThat(text.get("externalmetrics_metric_fetch_duration_seconds_count", metric("p", "depth")))
                    .isEqualTo(1);
            assertThat(text.get("externalmetrics_metric_fetch_duration_seconds_count", metric("p", "broken")))
                    .isEqualTo(text.get("externalmetrics_metric_fetches_total", fetches("p", "broken", "error")));
            assertThat(text.get("externalmetrics_metric_fetch_duration_seconds_bucket",
                    Map.of("metric", "depth", "le", "+Inf"))).isEqualTo(1);

            assertThat(text.get("externalmetrics_metric_policy_answers_total",
                    Map.of("metric", "broken", "policy", "error"))).isEqualTo(1);
            assertThat(text.matching("externalmetrics_metric_policy_answers_total", metric("p", "depth"))).isEmpty();

            assertThat(text.type("externalmetrics_metric_fetch_duration_seconds")).isEqualTo("histogram");
            assertThat(text.type("externalmetrics_metric_age_seconds")).isEqualTo("gauge");
            assertThat(text.type("jvm_memory_used_bytes")).isEqualTo("gauge");
            assertThat(text.matching("jvm_threads_current", Map.of())).hasSize(1);

            time.forward(Duration.ofSeconds(5));
            assertThat(scrape(adapter).get("externalmetrics_metric_age_seconds", metric("p", "depth"))).isEqualTo(12);
        }
    }

    @Test
    void httpRequests_areCountedByRouteAndCode_andTimed() {
        try (FakeProvider p = FakeProvider.start(0).value("depth", 1);
             TestAdapter adapter = TestAdapter.withProviders(provider("p", p.port(), "depth"))) {
            var reads = new AtomicInteger();
            Await.until("depth served", WAIT, () -> {
                reads.incrementAndGet();
                return adapter.read("depth").statusCode() == 200;
            });
            // a request is counted once its answer is sent, so the client can be a step ahead of the counter
            var scrapes = new AtomicInteger();
            Await.until("those reads counted", WAIT, () -> {
                scrapes.incrementAndGet();
                return answeredOutsideMetrics(scrape(adapter)) == reads.get();
            });
            scrapes.incrementAndGet();
            PromText before = scrape(adapter);
            double ok = before.get("externalmetrics_http_requests_total", Map.of("route", "values", "code", "200"));
            double notFound = before.value("externalmetrics_http_requests_total",
                    Map.of("route", "values", "code", "404")).orElse(0); // a read before the metric was known
            double answered = answeredOutsideMetrics(before);

            adapter.read("depth");
            adapter.read("nothing-here");
            adapter.read("nothing-here");
            adapter.get("/apis");
            adapter.get("/no/such/path");
            Await.until("the five requests counted and timed", WAIT, () -> {
                scrapes.incrementAndGet();
                PromText scraped = scrape(adapter);
                return answeredOutsideMetrics(scraped) == answered + 5 && timedOutsideMetrics(scraped) == answered + 5;
            });
            PromText text = scrape(adapter);

            assertThat(text.get("externalmetrics_http_requests_total", Map.of("route", "values", "code", "200")))
                    .isEqualTo(ok + 1);
            assertThat(text.get("externalmetrics_http_requests_total", Map.of("route", "values", "code", "404")))
                    .isEqualTo(notFound + 2);
            assertThat(text.get("externalmetrics_http_requests_total", Map.of("route", "discovery", "code", "200")))
                    .isEqualTo(1);
            assertThat(text.get("externalmetrics_http_requests_total", Map.of("route", "other", "code", "404")))
                    .isEqualTo(1);
            // the scrapes before this one (the last of them may not be counted yet, as above)
            assertThat(text.get("externalmetrics_http_requests_total", Map.of("route", "metrics", "code", "200")))
                    .isIn((double) scrapes.get() - 1, (double) scrapes.get());
            double values = text.matching("externalmetrics_http_requests_total", Map.of("route", "values")).stream()
                    .mapToDouble(PromText.Sample::value).sum();
            assertThat(text.get("externalmetrics_http_request_duration_seconds_count", Map.of("route", "values")))
                    .isEqualTo(values);
            assertThat(text.get("externalmetrics_http_request_duration_seconds_bucket",
                    Map.of("route", "values", "le", "+Inf"))).isEqualTo(values);
        }
    }

    @Test
    void providerState_inFlightFetches_describeFailures_andWatchReconnects() throws Exception {
        var release = new CountDownLatch(1);
        int closedPort;
        try (FakeProvider gone = FakeProvider.start(0)) {
            closedPort = gone.port();
        }
        try (FakeProvider p = FakeProvider.start(0)
                .describe(FakeProvider.interval("slow", Duration.ofHours(1)),
                        FakeProvider.push("pushed", Duration.ofHours(1)))
                .metric("slow", request -> {
                    release.await();
                    return FetchResponse.newBuilder().setValue(1).build();
                })
                .value("pushed", 2);
             TestAdapter adapter = TestAdapter.withProviders("""
                       - {name: p, target: "127.0.0.1:%d", retry: {initial: 20ms, max: 100ms}}
                       - {name: down, target: "127.0.0.1:%d", retry: {initial: 20ms, max: 100ms}}
                     """.formatted(p.port(), closedPort))) {
            try {
                Await.until("a fetch of slow under way", WAIT, () -> p.fetches("slow") == 1);
                Await.until("p ready, down failing", WAIT, () -> {
                    PromText text = scrape(adapter);
                    return text.get("externalmetrics_provider_connectivity_state",
                            Map.of("provider", "p", "state", "ready")) == 1
                            && text.get("externalmetrics_provider_connectivity_state",
                            Map.of("provider", "down", "state", "transient_failure")) == 1
                            && text.get("externalmetrics_provider_describe_failures_total",
                            Map.of("provider", "down")) >= 2;
                });
                PromText text = scrape(adapter);
                assertThat(text.get("externalmetrics_provider_connectivity_state",
                        Map.of("provider", "p", "state", "connecting"))).isZero();
                assertThat(text.get("externalmetrics_provider_fetches_in_flight", Map.of("provider", "p")))
                        .isEqualTo(1);
                assertThat(text.get("externalmetrics_provider_fetches_in_flight", Map.of("provider", "down")))
                        .isZero();
                assertThat(text.value("externalmetrics_provider_describe_failures_total", Map.of("provider", "p")))
                        .isEmpty();
                assertThat(text.value("externalmetrics_provider_watch_reconnects_total", Map.of("provider", "p")))
                        .isEmpty();

                Await.until("the Watch stream open", WAIT, () -> p.openWatchStreams() == 1);
                p.breakWatchStreams();
                Await.until("the Watch stream reopened", WAIT, () -> p.openWatchStreams() == 1);
                assertThat(scrape(adapter).get("externalmetrics_provider_watch_reconnects_total",
                        Map.of("provider", "p"))).isEqualTo(1);
            } finally {
                release.countDown();
            }
            Await.until("the slow fetch done", WAIT, () -> scrape(adapter).get(
                    "externalmetrics_provider_fetches_in_flight", Map.of("provider", "p")) == 0);
        }
    }

    @Test
    void reload_removingAProviderAndAMetric_dropsTheirSeries() {
        try (FakeProvider a = FakeProvider.start(0).value("a1", 1).value("a2", 2);
             FakeProvider b = FakeProvider.start(0).value("b1", 3);
             TestAdapter adapter = TestAdapter.withProviders(
                     provider("a", a.port(), "a1", "a2") + provider("b", b.port(), "b1"))) {
            Await.until("all served", WAIT, () -> adapter.read("a1").statusCode() == 200
                    && adapter.read("a2").statusCode() == 200 && adapter.read("b1").statusCode() == 200);
            PromText before = scrape(adapter);
            assertThat(before.get("externalmetrics_metric_fetches_total", fetches("a", "a2", "ok"))).isEqualTo(1);
            assertThat(before.matching("externalmetrics_provider_connectivity_state", Map.of("provider", "b")))
                    .hasSize(5);

            adapter.reload(ConfigLoader.parse("server: {address: 127.0.0.1, port: 0}\nproviders:\n"
                    + provider("a", a.port(), "a1")));
            // a changed provider restarts: wait for its new runtime's fetch
            Await.until("a1 fetched again", WAIT, () -> a.fetches("a1") == 2);
            PromText text = scrape(adapter);

            assertThat(text.samples()).noneMatch(s -> "b".equals(s.labels().get("provider")));
            assertThat(text.samples()).noneMatch(s -> "a2".equals(s.labels().get("metric")));
            assertThat(text.get("externalmetrics_metric_base_value", metric("a", "a1"))).isEqualTo(1);
        }
    }

    @Test
    void twoAdaptersInOneJvm_countApart() {
        try (FakeProvider p = FakeProvider.start(0).value("depth", 1);
             TestAdapter one = TestAdapter.withProviders(provider("p", p.port(), "depth"));
             TestAdapter two = TestAdapter.withProviders(provider("p", p.port(), "depth"))) {
            Await.until("both served", WAIT,
                    () -> one.read("depth").statusCode() == 200 && two.read("depth").statusCode() == 200);

            one.read("missing");
            one.read("missing");
            one.read("missing");
            // a request is counted once its answer is sent, a fetch once its value is recorded
            Await.until("the three reads counted", WAIT, () -> scrape(one).get("externalmetrics_http_requests_total",
                    Map.of("route", "values", "code", "404")) >= 3);
            Await.until("both fetches counted", WAIT,
                    () -> scrape(one).value("externalmetrics_metric_fetches_total", fetches("p", "depth", "ok"))
                            .isPresent()
                            && scrape(two).value("externalmetrics_metric_fetches_total", fetches("p", "depth", "ok"))
                            .isPresent());

            assertThat(scrape(one).get("externalmetrics_http_requests_total", Map.of("route", "values", "code", "404")))
                    .isEqualTo(3);
            assertThat(scrape(two).value("externalmetrics_http_requests_total",
                    Map.of("route", "values", "code", "404"))).isEmpty();
            assertThat(scrape(one).get("externalmetrics_metric_fetches_total", fetches("p", "depth", "ok")))
                    .isEqualTo(1);
            assertThat(scrape(two).get("externalmetrics_metric_fetches_total", fetches("p", "depth", "ok")))
                    .isEqualTo(1);
        }
    }

    @Test
    void openMetrics_isServedWhenAsked_andHeadHasNoBody() {
        try (FakeProvider p = FakeProvider.start(0).value("depth", 1);
             TestAdapter adapter = TestAdapter.withProviders(provider("p", p.port(), "depth"))) {
            HttpClient client = adapter.client(HttpClient.Version.HTTP_1_1);
            HttpResponse<String> open = Https.send(client, HttpRequest.newBuilder(URI.create(adapter.url("/metrics")))
                    .header("Accept", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                            + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
                    .timeout(WAIT)
                    .build());
            HttpResponse<String> head = Https.send(client, HttpRequest.newBuilder(URI.create(adapter.url("/metrics")))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .timeout(WAIT)
                    .build());

            assertThat(open.statusCode()).isEqualTo(200);
            assertThat(open.headers().firstValue("content-type").orElseThrow())
                    .startsWith("application/openmetrics-text; version=1.0.0");
            assertThat(open.body()).contains("# TYPE externalmetrics_http_request_duration_seconds histogram")
                    .endsWith("# EOF\n");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("content-type")).contains(TEXT_FORMAT);
            assertThat(head.body()).isEmpty();
            assertThat(TestAdapter.json(adapter.get("/")).get("paths").toString()).contains("\"/metrics\"");
        }
    }

    /** How many requests were timed, scrapes of /metrics aside. */
    private static double timedOutsideMetrics(PromText text) {
        return text.matching("externalmetrics_http_request_duration_seconds_count", Map.of()).stream()
                .filter(sample -> !"metrics".equals(sample.labels().get("route")))
                .mapToDouble(PromText.Sample::value).sum();
    }

    /** How many requests were counted, scrapes of /metrics aside. */
    private static double answeredOutsideMetrics(PromText text) {
        return text.matching("externalmetrics_http_requests_total", Map.of()).stream()
                .filter(sample -> !"metrics".equals(sample.labels().get("route")))
                .mapToDouble(PromText.Sample::value).sum();
    }
}
