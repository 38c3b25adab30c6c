package io.externalmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class MetricCacheTest {

    private static final Instant T0 = Instant.parse("2026-11-24T22:09:18.750Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestClock clock = new TestClock(T0);
    private final MetricCache cache = new MetricCache(clock);

    private static MetricInfo info(String namespace, String name, String provider, OnErrorPolicy onError) {
        return new MetricInfo(new MetricKey(namespace, name), provider,
                new TriggerSpec.Interval(Duration.ofSeconds(1)), Duration.ofSeconds(3), onError);
    }

    private static Sample sample(String name) {
        return Sample.of(name, OptionalDouble.of(1.5), List.of(
                        new Sample.SeriesValue(Map.of("some-key", "A"), 1.5),
                        new Sample.SeriesValue(Map.of("some-key", "B"), 2000),
                        new Sample.SeriesValue(Map.of("some-key", "C"), -3)),
                T0.minusSeconds(2), false, Optional.empty());
    }

    private JsonNode items(ReadResult result) throws Exception {
        assertThat(result).isInstanceOf(ReadResult.Found.class);
        JsonNode list = JSON.readTree(((ReadResult.Found) result).body());
        assertThat(list.get("kind").asText()).isEqualTo("ExternalMetricValueList");
        return list.get("items");
    }

    @Test
    void read_withoutSelector_returnsBaseValue() throws Exception {
        cache.registerProvider("p", List.of(info("*", "queue", "p", OnErrorPolicy.error())));
        cache.recordSuccess(new MetricKey("*", "queue"), sample("queue"));

        JsonNode items = items(cache.read("default", "queue", Optional.empty()));

        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("metricName").asText()).isEqualTo("queue");
        assertThat(items.get(0).get("metricLabels").size()).isZero();
        assertThat(items.get(0).get("value").asText()).isEqualTo("1500m");
        assertThat(items.get(0).get("timestamp").asText()).isEqualTo("2026-11-24T22:09:16Z");
        assertThat(items.get(0).has("window")).isFalse();
    }

    @Test
    void read_withSelector_returnsMatchingSeriesOnly() throws Exception {
        cache.registerProvider("p", List.of(info("*", "queue", "p", OnErrorPolicy.error())));
        cache.recordSuccess(new MetricKey("*", "queue"), sample("queue"));

        JsonNode b = items(cache.read("default", "queue", Optional.of(LabelSelector.parse("some-key=B"))));
        JsonNode ac = items(cache.read("default", "queue", Optional.of(LabelSelector.parse("some-key in (A,C)"))));
        JsonNode none = items(cache.read("default", "queue", Optional.of(LabelSelector.parse("some-key=Z"))));

        assertThat(b).hasSize(1);
        assertThat(b.get(0).get("metricLabels").get("some-key").asText()).isEqualTo("B");
        assertThat(b.get(0).get("value").asText()).isEqualTo("2k");
        assertThat(ac).extracting(item -> item.get("value").asText()).containsExactly("1500m", "-3");
        assertThat(none).isEmpty();
    }

    @Test
    void read_withoutBaseValue_returnsEverySeries() throws Exception {
        cache.registerProvider("p", List.of(info("*", "queue", "p", OnErrorPolicy.error())));
        cache.recordSuccess(new MetricKey("*", "queue"), Sample.of("queue", OptionalDouble.empty(), List.of(
                new Sample.SeriesValue(Map.of("q", "a"), 1), new Sample.SeriesValue(Map.of("q", "b"), 2)),
                T0, false, Optional.of(Duration.ofSeconds(60))));

        JsonNode items = items(cache.read("default", "queue", Optional.empty()));

        assertThat(items).extracting(item -> item.get("value").asText()).containsExactly("1", "2");
        assertThat(items.get(0).get("window").asLong()).isEqualTo(60);
    }

    @Test
    void read_namespaces_preferTheOwnNamespaceThenAll() throws Exception {
        cache.registerProvider("p", List.of(
                info("*", "m", "p", OnErrorPolicy.error()),
                info("team", "m", "p", OnErrorPolicy.error()),
                info("default", "only-default", "p", OnErrorPolicy.error())));
        cache.recordSuccess(new MetricKey("*", "m"),
                Sample.of("m", OptionalDouble.of(1), List.of(), T0, false, Optional.empty()));
        cache.recordSuccess(new MetricKey("team", "m"),
                Sample.of("m", OptionalDouble.of(2), List.of(), T0, false, Optional.empty()));
        cache.recordSuccess(new MetricKey("default", "only-default"),
                Sample.of("only-default", OptionalDouble.of(3), List.of(), T0, false, Optional.empty()));

        assertThat(items(cache.read("other", "m", Optional.empty())).get(0).get("value").asText()).isEqualTo("1");
        assertThat(items(cache.read("team", "m", Optional.empty())).get(0).get("value").asText()).isEqualTo("2");
        assertThat(items(cache.read("default", "only-default", Optional.empty())).get(0).get("value").asText())
                .isEqualTo("3");
        assertThat(cache.read("other", "only-default", Optional.empty())).isInstanceOf(ReadResult.NotFound.class);
    }

    @Test
    void read_differentCase_findsTheOnlyCaseInsensitiveMatch() throws Exception {
        cache.registerProvider("p", List.of(info("*", "Queue-Depth", "p", OnErrorPolicy.error())));
        cache.recordSuccess(new MetricKey("*", "Queue-Depth"),
                Sample.of("Queue-Depth", OptionalDouble.of(7), List.of(), T0, false, Optional.empty()));

        assertThat(items(cache.read("default", "queue-depth", Optional.empty()))).hasSize(1);
    }

    @Test
    void register_nameClash_isRejectedAndReported() {
        cache.registerProvider("p", List.of(info("*", "m", "p", OnErrorPolicy.error())));

        List<String> conflicts = cache.registerProvider("q", List.of(
                info("*", "M", "q", OnErrorPolicy.error()), info("*", "other", "q", OnErrorPolicy.error())));

        assertThat(conflicts).singleElement().asString()
                .contains("\"M\"", "provider \"q\"", "provider \"p\"", "not served");
        assertThat(cache.inventory()).extracting(s -> s.info().key().name()).containsExactly("m", "other");
    }

    @Test
    void read_beforeFirstValue_isUnavailableNamingTheProvider() {
        cache.registerProvider("p", List.of(info("*", "m", "p", OnErrorPolicy.error())));

        ReadResult result = cache.read("default", "m", Optional.empty());

        assertThat(result).isEqualTo(new ReadResult.Unavailable("provider \"p\" has not delivered a value yet"));
    }

    @Test
    void read_afterMaxAgeWithFailures_isUnavailableWithReasonAndSince() throws Exception {
        cache.registerProvider("p", List.of(info("*", "m", "p", OnErrorPolicy.error())));
        MetricKey key = new MetricKey("*", "m");
        cache.recordSuccess(key, sample("m"));
        clock.advance(Duration.ofSeconds(1));
        cache.recordFailure(key, "UNAVAILABLE: io exception (Connection refused)");
        clock.advance(Duration.ofSeconds(1));
        cache.recordFailure(key, "UNAVAILABLE: io exception (Connection refused)");

        assertThat(items(cache.read("default", "m", Optional.empty()))).hasSize(1); // 2s old: still fresh

        clock.advance(Duration.ofMillis(1500));
        ReadResult result = cache.read("default", "m", Optional.empty());

        assertThat(result).isInstanceOf(ReadResult.Unavailable.class);
        assertThat(((ReadResult.Unavailable) result).why()).isEqualTo("provider \"p\" failing since "
                + "2026-11-24T22:09:19Z (UNAVAILABLE: io exception (Connection refused), 2 attempts); "
                + "last value fetched 3.5s ago (max age 3s)");
    }

    @Test
    void read_providerObservationOlderThanMaxAge_isStaleThoughJustFetched() {
        cache.registerProvider("p", List.of(info("*", "m", "p", OnErrorPolicy.error())));
        // a provider relaying a source that stopped updating an hour ago: it answers, with the old time
        cache.recordSuccess(new MetricKey("*", "m"), Sample.of("m", OptionalDouble.of(1), List.of(),
                T0.minus(Duration.ofHours(1)), true, Optional.empty()));

        ReadResult result = cache.read("default", "m", Optional.empty());

        assertThat(result).isEqualTo(new ReadResult.Unavailable(
                "provider \"p\" has not delivered a fresh value; last value observed 1h ago (max age 3s)"));
        assertThat(cache.state(new MetricKey("*", "m")).orElseThrow().age(T0)).contains(Duration.ofHours(1));
    }

    @Test
    void read_ageIsTheOlderOfFetchAndObservation() throws Exception {
        cache.registerProvider("p", List.of(info("*", "m", "p", OnErrorPolicy.error())));
        MetricKey key = new MetricKey("*", "m");
        cache.recordSuccess(key, Sample.of("m", OptionalDouble.of(1), List.of(), T0.minusSeconds(2), true,
                Optional.empty()));

        clock.advance(Duration.ofMillis(900)); // observed 2.9s ago, fetched 0.9s ago
        assertThat(items(cache.read("default", "m", Optional.empty()))).hasSize(1);
        clock.advance(Duration.ofMillis(200));
        assertThat(cache.read("default", "m", Optional.empty())).isEqualTo(new ReadResult.Unavailable(
                "provider \"p\" has not delivered a fresh value; last value observed 3.1s ago (max age 3s)"));

        // the same observation time, not said by the provider (the time of receipt): aged from the fetch
        cache.recordSuccess(key, Sample.of("m", OptionalDouble.of(1), List.of(), T0.minusSeconds(2), false,
                Optional.empty()));
        clock.advance(Duration.ofMillis(3050));
        assertThat(cache.read("default", "m", Optional.empty())).isEqualTo(new ReadResult.Unavailable(
                "provider \"p\" has not delivered a fresh value; last value fetched 3.1s ago (max age 3s)"));
    }

    @Test
    void read_observationInTheFuture_isServedWithItsTimestamp_andAgedFromTheFetch() throws Exception {
        cache.registerProvider("p", List.of(info("*", "m", "p", OnErrorPolicy.error())));
        // within the clock-skew allowance (the provider's clock runs a minute ahead)
        cache.recordSuccess(new MetricKey("*", "m"), Sample.of("m", OptionalDouble.of(1), List.of(),
                T0.plus(Duration.ofMinutes(1)), true, Optional.empty()));

        clock.advance(Duration.ofSeconds(2));
        assertThat(items(cache.read("default", "m", Optional.empty())).get(0).get("timestamp").asText())
                .isEqualTo("2026-11-24T22:10:18Z");

        clock.advance(Duration.ofSeconds(2));
        assertThat(cache.read("default", "m", Optional.empty())).isEqualTo(new ReadResult.Unavailable(
                "provider \"p\" has not delivered a fresh value; last value fetched 4.0s ago (max age 3s)"));
    }

    @Test
    void read_lastKnownGood_boundCountsFromTheObservationToo() throws Exception {
        cache.registerProvider("p",
                List.of(info("*", "m", "p", new OnErrorPolicy.LastKnownGood(Duration.ofSeconds(10)))));
        cache.recordSuccess(new MetricKey("*", "m"), Sample.of("m", OptionalDouble.of(1), List.of(),
                T0.minusSeconds(5), true, Optional.empty()));

        clock.advance(Duration.ofSeconds(4)); // observed 9s ago: stale, within the bound
        assertThat(items(cache.read("default", "m", Optional.empty())).get(0).get("timestamp").asText())
                .isEqualTo("2026-11-24T22:09:13Z");

        clock.advance(Duration.ofSeconds(2));
        assertThat(cache.read("default", "m", Optional.empty())).isEqualTo(new ReadResult.Unavailable(
                "provider \"p\" has not delivered a fresh value; last value observed 11s ago (max age 3s)"));
    }

    @Test
    void formatAge_roundedUp_toATenthBelowTenSeconds_toWholeSecondsFromThere() {
        assertThat(MetricCache.formatAge(Duration.ofMillis(3500))).isEqualTo("3.5s");
        assertThat(MetricCache.formatAge(Duration.ofMillis(3001))).as("past a 3s max age: never \"3.0s\"")
                .isEqualTo("3.1s");
        assertThat(MetricCache.formatAge(Duration.ofMillis(3000))).isEqualTo("3.0s");
        assertThat(MetricCache.formatAge(Duration.ofMillis(40))).isEqualTo("0.1s");
        assertThat(MetricCache.formatAge(Duration.ZERO)).isEqualTo("0.0s");
        assertThat(MetricCache.formatAge(Duration.ofMillis(9901))).isEqualTo("10.0s");
        assertThat(MetricCache.formatAge(Duration.ofMillis(45_001))).as("past a 45s max age").isEqualTo("46s");
        assertThat(MetricCache.formatAge(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(MetricCache.formatAge(Duration.ofSeconds(3725))).isEqualTo("1h2m5s");
        // an observed_at of year 1 seen today: more seconds than a long of nanoseconds holds
        assertThat(MetricCache.formatAge(Duration.between(Instant.parse("0001-01-01T00:00:00Z"), T0)))
                .endsWith("s");
    }

    @Test
    void read_lastKnownGood_servesOldValueUntilItsBound() throws Exception {
        cache.registerProvider("p",
                List.of(info("*", "m", "p", new OnErrorPolicy.LastKnownGood(Duration.ofSeconds(10)))));
        cache.recordSuccess(new MetricKey("*", "m"), sample("m"));

        clock.advance(Duration.ofSeconds(9));
        JsonNode item = items(cache.read("default", "m", Optional.empty())).get(0);
        assertThat(item.get("value").asText()).isEqualTo("1500m");
        assertThat(item.get("timestamp").asText()).as("the last good value's own time, not now")
                .isEqualTo("2026-11-24T22:09:16Z");

        clock.advance(Duration.ofSeconds(2));
        assertThat(cache.read("default", "m", Optional.empty())).isInstanceOf(ReadResult.Unavailable.class);
    }

    @Test
    void read_static_servesTheFixedValueWhenStale() throws Exception {
        cache.registerProvider("p", List.of(info("*", "m", "p", new OnErrorPolicy.Static("5"))));

        JsonNode items = items(cache.read("default", "m", Optional.of(LabelSelector.parse("some-key=A"))));

        assertThat(items).singleElement().satisfies(item -> {
            assertThat(item.get("value").asText()).isEqualTo("5");
            assertThat(item.get("metricLabels").size()).isZero();
            assertThat(item.get("timestamp").asText()).isEqualTo("2026-11-24T22:09:18Z");
        });
    }

    @Test
    void registerProvider_again_keepsValuesAndRetiresUnlistedMetricsUntilTheirMaxAge() throws Exception {
        cache.registerProvider("p", List.of(info("*", "a", "p", OnErrorPolicy.error()),
                info("*", "b", "p", OnErrorPolicy.error())));
        cache.recordSuccess(new MetricKey("*", "a"), sample("a"));
        cache.recordSuccess(new MetricKey("*", "b"), sample("b"));

        cache.registerProvider("p", List.of(info("*", "a", "p", OnErrorPolicy.error())));

        assertThat(items(cache.read("default", "a", Optional.empty()))).hasSize(1);
        assertThat(items(cache.read("default", "b", Optional.empty()))).hasSize(1); // retired, still within max age
        assertThat(cache.state(new MetricKey("*", "b")).orElseThrow().retiredAt()).contains(T0);

        clock.advance(Duration.ofMillis(3001));
        assertThat(cache.read("default", "b", Optional.empty())).isInstanceOf(ReadResult.NotFound.class);
        cache.sweep();
        assertThat(cache.inventory()).extracting(s -> s.info().key().name()).containsExactly("a");
        cache.recordSuccess(new MetricKey("*", "b"), sample("b")); // a late result of a gone metric: ignored
        assertThat(cache.read("default", "b", Optional.empty())).isInstanceOf(ReadResult.NotFound.class);
    }

    @Test
    void registerProvider_listingARetiredMetricAgain_revivesIt() throws Exception {
        cache.registerProvider("p", List.of(info("*", "a", "p", OnErrorPolicy.error())));
        cache.recordSuccess(new MetricKey("*", "a"), sample("a"));
        cache.removeProvider("p");

        cache.registerProvider("p", List.of(info("*", "a", "p", OnErrorPolicy.error())));
        clock.advance(Duration.ofSeconds(2));

        assertThat(cache.state(new MetricKey("*", "a")).orElseThrow().retiredAt()).isEmpty();
        assertThat(items(cache.read("default", "a", Optional.empty()))).hasSize(1);
    }

    @Test
    void registerProvider_metricRenamedOnlyInCase_replacesTheRetiredOne() {
        cache.registerProvider("p", List.of(info("*", "Queue", "p", OnErrorPolicy.error())));

        List<String> conflicts = cache.registerProvider("p", List.of(info("*", "queue", "p", OnErrorPolicy.error())));

        assertThat(conflicts).isEmpty();
        assertThat(cache.inventory()).extracting(s -> s.info().key().name()).containsExactly("queue");
    }

    @Test
    void registerProvider_retiredMetricOfAnotherProvider_givesWay() {
        cache.registerProvider("old", List.of(info("*", "m", "old", OnErrorPolicy.error())));
        cache.removeProvider("old");

        List<String> conflicts = cache.registerProvider("new", List.of(info("*", "m", "new", OnErrorPolicy.error())));

        assertThat(conflicts).isEmpty();
        assertThat(cache.state(new MetricKey("*", "m")).orElseThrow().info().provider()).isEqualTo("new");
    }
}
