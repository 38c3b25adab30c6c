package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.ReadResult;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.provider.UpstreamTuplesTest.RawUpstream;
import io.externalmetrics.adapter.telemetry.Telemetry;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.Closer;
import io.externalmetrics.adapter.testing.PromText;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The adapter's own metrics for an {@code externalMetricsApi} provider: its tuples' fetches, policy
 * answers, ages and connectivity are counted under (provider, namespace, metric) as a native metric's,
 * read from the same scrape an operator's Prometheus reads.
 */
class ForwardedTelemetryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String LIST = UpstreamTuplesTest.LIST;
    private static final Map<String, String> QUEUE =
            Map.of("provider", "upstream", "namespace", "shop", "metric", "s0-queue");

    @RegisterExtension
    final Closer closer = new Closer();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService fetchThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final Telemetry telemetry = new Telemetry(Clock.systemUTC());
    private final MetricCache cache = new MetricCache(Clock.systemUTC(), telemetry);

    @AfterEach
    void stopThreads() {
        scheduler.shutdownNow();
        fetchThreads.shutdownNow();
    }

    /** An adapter's cache and metrics with one provider forwarding {@code s0-*} to {@code upstream}. */
    private void forwardTo(RawUpstream upstream, String more) {
        ProviderConfig config = UpstreamTuplesTest.config(upstream, "deadline: 2s\ninterval: 100ms\n" + more);
        var env = new ProviderManager.Environment(scheduler, fetchThreads, Clock.systemUTC(), System::nanoTime,
                telemetry);
        telemetry.observe(cache);
        ForwardedTuples tuples = closer.register(new ForwardedTuples(config, new UpstreamClient(config,
                UpstreamClient.sslContext(config, Optional.empty()), fetchThreads), Optional.empty(), cache, env));
        cache.forwarders(List.of(tuples));
    }

    private PromText scrape() {
        return PromText.parse(new String(telemetry.scrape(Optional.empty()).body(), StandardCharsets.UTF_8));
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        var more = new HashMap<>(labels);
        more.put(key, value);
        return more;
    }

    private ReadResult read(String selector) {
        return cache.read("shop", "s0-queue", selector.isEmpty() ? Optional.empty()
                : Optional.of(LabelSelector.parse(selector)));
    }

    @Test
    void tuplesOfAName_areCountedAsOneMetric_withFetchesAgesMaxAgeAndTheProvidersConnectivity() throws Exception {
        forwardTo(closer.register(RawUpstream.start(request -> RawUpstream.ok(LIST))), "maxAge: 30s");

        assertThat(read("")).isInstanceOf(ReadResult.Found.class);
        assertThat(read("queue=orders")).isInstanceOf(ReadResult.Found.class);

        Await.until("refreshes of both tuples to be counted", WAIT,
                () -> scrape().value("externalmetrics_metric_fetches_total", with(QUEUE, "result", "ok"))
                        .orElse(0) >= 4);
        PromText metrics = scrape();
        assertThat(metrics.matching("externalmetrics_metric_fetches_total", Map.of("provider", "upstream")))
                .as("one series per (namespace, metric), whatever the selectors")
                .extracting(PromText.Sample::labels).containsOnly(with(QUEUE, "result", "ok"));
        assertThat(metrics.get("externalmetrics_metric_fetch_duration_seconds_count", QUEUE)).isGreaterThanOrEqualTo(4);
        assertThat(metrics.get("externalmetrics_metric_max_age_seconds", QUEUE)).isEqualTo(30.0);
        assertThat(metrics.get("externalmetrics_metric_age_seconds", QUEUE)).isBetween(0.0, 30.0);
        Await.until("the provider to be ready", WAIT, () -> scrape().value(
                "externalmetrics_provider_connectivity_state", Map.of("provider", "upstream", "state", "ready"))
                .orElse(0) == 1);
        assertThat(scrape().get("externalmetrics_provider_connectivity_state",
                Map.of("provider", "upstream", "state", "idle"))).isZero();
        assertThat(scrape().get("externalmetrics_provider_fetches_in_flight", Map.of("provider", "upstream")))
                .isBetween(0.0, 2.0);
    }

    @Test
    void upstreamOverloaded_isAFailedFetch_answeredByTheOnErrorPolicy_andCounted() throws Exception {
        AtomicReference<Function<String, RawUpstream.Reply>> script =
                new AtomicReference<>(request -> RawUpstream.ok(LIST));
        forwardTo(closer.register(RawUpstream.start(request -> script.get().apply(request))),
                "maxAge: 100ms\nonError: lastKnownGood\nlastKnownGoodFor: 1h");
        assertThat(read("")).isInstanceOf(ReadResult.Found.class);

        script.set(request -> RawUpstream.status(429, "{\"kind\":\"Status\",\"message\":\"too many requests\"}"));
        Await.until("a refresh to fail and the value to go stale", WAIT, () -> scrape()
                .value("externalmetrics_metric_fetches_total", with(QUEUE, "result", "error")).orElse(0) >= 1
                && scrape().get("externalmetrics_metric_age_seconds", QUEUE) > 0.1);

        assertThat(read("")).as("the last value, not the upstream's 429").isInstanceOf(ReadResult.Found.class);
        assertThat(scrape().get("externalmetrics_metric_policy_answers_total", with(QUEUE, "policy", "lastKnownGood")))
                .isEqualTo(1.0);
        Await.until("the provider's summary to name the failure", WAIT, () -> cache.providers().getFirst()
                .describe().contains("upstream answered 429: too many requests"));
        Await.until("the provider to be failing", WAIT, () -> scrape().value(
                "externalmetrics_provider_connectivity_state",
                Map.of("provider", "upstream", "state", "transient_failure")).orElse(0) == 1);
    }

    @Test
    void upstreamForbidding_isTheAdaptersFailure_saidAsSuch_notTheReadersRefusal() throws Exception {
        forwardTo(closer.register(RawUpstream.start(request -> RawUpstream.status(403,
                "{\"kind\":\"Status\",\"message\":\"forbidden: User \\\"system:serviceaccount:x:y\\\" cannot get\"}"))),
                "");

        ReadResult answer = read("");

        assertThat(answer).isInstanceOf(ReadResult.Unavailable.class);
        assertThat(((ReadResult.Unavailable) answer).why()).startsWith("provider \"upstream\" failing since")
                .contains("upstream answered 403: forbidden: User \"system:serviceaccount:x:y\" cannot get")
                .contains("grant it get on external.metrics.k8s.io");
        assertThat(scrape().get("externalmetrics_metric_policy_answers_total", with(QUEUE, "policy", "error")))
                .isEqualTo(1.0);
    }

    @Test
    void anInvalidAnswer_isCountedAsInvalid() throws Exception {
        forwardTo(closer.register(RawUpstream.start(request -> RawUpstream.ok(LIST.replace("\"3\"", "\"three\"")))),
                "");

        assertThat(read("")).isInstanceOf(ReadResult.Unavailable.class);

        assertThat(scrape().get("externalmetrics_metric_fetches_total", with(QUEUE, "result", "invalid")))
                .isGreaterThanOrEqualTo(1.0);
        assertThat(scrape().value("externalmetrics_metric_fetches_total", with(QUEUE, "result", "error")))
                .isEmpty();
    }

    @Test
    void aDroppedTuple_takesItsSeriesOutOfTheMetrics() throws Exception {
        forwardTo(closer.register(RawUpstream.start(request -> RawUpstream.ok(LIST))), "idleAfter: 100ms");
        assertThat(read("")).isInstanceOf(ReadResult.Found.class);
        assertThat(scrape().value("externalmetrics_metric_max_age_seconds", QUEUE)).isPresent();

        Await.until("the unread tuple to be dropped, and its series with it", WAIT,
                () -> scrape().matching("externalmetrics_metric_fetches_total", Map.of("provider", "upstream"))
                        .isEmpty());
        PromText metrics = scrape();
        assertThat(metrics.value("externalmetrics_metric_max_age_seconds", QUEUE)).isEmpty();
        assertThat(metrics.value("externalmetrics_metric_age_seconds", QUEUE)).isEmpty();
        assertThat(metrics.value("externalmetrics_metric_fetch_duration_seconds_count", QUEUE)).isEmpty();
    }
}
