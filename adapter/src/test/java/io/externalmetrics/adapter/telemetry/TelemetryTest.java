package io.externalmetrics.adapter.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.cache.ProviderState.Connectivity;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.provider.ProviderEvents;
import io.externalmetrics.adapter.provider.ProviderEvents.FetchResult;
import io.externalmetrics.adapter.testing.FakeClock;
import io.externalmetrics.adapter.testing.PromText;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TelemetryTest {

    private final FakeClock time = new FakeClock();
    private final Telemetry telemetry = new Telemetry(time.clock());
    private final MetricCache cache = new MetricCache(time.clock(), telemetry);

    TelemetryTest() {
        telemetry.observe(cache);
    }

    private static MetricInfo info(String provider, String name) {
        return new MetricInfo(new MetricKey("default", name), provider,
                new TriggerSpec.Interval(Duration.ofSeconds(10)), Duration.ofSeconds(30), OnErrorPolicy.error());
    }

    private PromText scrape() {
        return PromText.parse(new String(telemetry.scrape(Optional.empty()).body(), StandardCharsets.UTF_8));
    }

    @Test
    void labels_areProviderNamespaceAndName() {
        assertThat(Telemetry.labels(info("p", "queue-depth"))).containsExactly("p", "default", "queue-depth");
    }

    @Test
    void retiredMetricsAndRemovedProviders_loseTheirSeries_atTheNextScrape() {
        MetricInfo kept = info("p", "kept");
        MetricInfo retired = info("p", "retired");
        cache.updateProvider(new ProviderState("p", "t", true, "ok", Connectivity.READY, Instant.EPOCH));
        cache.updateProvider(new ProviderState("q", "t", true, "ok", Connectivity.READY, Instant.EPOCH));
        cache.registerProvider("p", List.of(kept, retired));
        telemetry.fetched(kept, FetchResult.OK, 1_000_000);
        telemetry.fetched(retired, FetchResult.ERROR, 1_000_000);
        telemetry.watchReconnected("q");
        telemetry.describeFailed("q");
        telemetry.connectivity("q", "READY");
        assertThat(scrape().matching("externalmetrics_metric_fetches_total", Map.of("metric", "retired"))).hasSize(1);
        assertThat(scrape().get("externalmetrics_provider_watch_reconnects_total", Map.of("provider", "q")))
                .isEqualTo(1);

        cache.registerProvider("p", List.of(kept));
        cache.removeProvider("q");
        PromText text = scrape();

        assertThat(text.samples()).noneMatch(s -> "retired".equals(s.labels().get("metric")));
        assertThat(text.samples()).noneMatch(s -> "q".equals(s.labels().get("provider")));
        assertThat(text.get("externalmetrics_metric_fetches_total", Map.of("metric", "kept", "result", "ok")))
                .isEqualTo(1);
    }

    @Test
    void fetchesInFlight_countUpAndDown_perProvider() {
        cache.updateProvider(new ProviderState("p", "t", true, "ok", Connectivity.READY, Instant.EPOCH));
        telemetry.fetchStarted("p");
        telemetry.fetchStarted("p");
        telemetry.fetchEnded("p");
        assertThat(scrape().get("externalmetrics_provider_fetches_in_flight", Map.of("provider", "p"))).isEqualTo(1);

        telemetry.fetchEnded("p");
        assertThat(scrape().get("externalmetrics_provider_fetches_in_flight", Map.of("provider", "p"))).isZero();
    }

    @Test
    void aMetricsFetchEvents_countInItsSeries_andItsProvidersCallsInFlight() {
        MetricInfo metric = info("p", "queue-depth");
        cache.updateProvider(new ProviderState("p", "t", true, "ok", Connectivity.READY, Instant.EPOCH));
        cache.registerProvider("p", List.of(metric));
        ProviderEvents.MetricFetches fetches = telemetry.fetches(metric);

        fetches.started();
        fetches.started();
        fetches.ended();
        fetches.fetched(FetchResult.OK, 1_000_000);
        fetches.fetched(FetchResult.OK, 1_000_000);
        fetches.fetched(FetchResult.INVALID, 1_000_000);
        PromText text = scrape();

        assertThat(text.get("externalmetrics_provider_fetches_in_flight", Map.of("provider", "p"))).isEqualTo(1);
        assertThat(text.get("externalmetrics_metric_fetches_total", Map.of("metric", "queue-depth", "result", "ok")))
                .isEqualTo(2);
        assertThat(text.get("externalmetrics_metric_fetches_total",
                Map.of("metric", "queue-depth", "result", "invalid"))).isEqualTo(1);
        assertThat(text.matching("externalmetrics_metric_fetches_total", Map.of("result", "error"))).isEmpty();
        assertThat(text.get("externalmetrics_metric_fetch_duration_seconds_count", Map.of("metric", "queue-depth")))
                .isEqualTo(3);
    }

    @Test
    void aMetricsFetchSeries_droppedByAScrapeBeforeItWasRegistered_comeBackAtItsNextFetch() {
        MetricInfo metric = info("p", "queue-depth");
        cache.updateProvider(new ProviderState("p", "t", true, "ok", Connectivity.READY, Instant.EPOCH));
        ProviderEvents.MetricFetches fetches = telemetry.fetches(metric);
        fetches.fetched(FetchResult.OK, 1_000_000); // the first fetch, racing its registration
        scrape(); // sees the metric not served yet: drops its series

        cache.registerProvider("p", List.of(metric));
        fetches.fetched(FetchResult.OK, 1_000_000);
        PromText text = scrape();

        assertThat(text.get("externalmetrics_metric_fetches_total", Map.of("metric", "queue-depth", "result", "ok")))
                .isEqualTo(1);
        assertThat(text.get("externalmetrics_metric_fetch_duration_seconds_count", Map.of("metric", "queue-depth")))
                .isEqualTo(1);
    }
}
