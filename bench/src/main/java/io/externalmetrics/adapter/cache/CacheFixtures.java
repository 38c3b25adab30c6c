package io.externalmetrics.adapter.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** Caches filled as {@code bench/run}'s providers fill the adapter's, for the cache benchmarks. */
final class CacheFixtures {

    /** The time of every value; the cache's clock stands still there, so every value stays fresh. */
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final String PROVIDER = "bench";

    private CacheFixtures() {
    }

    /**
     * A cache with {@code metrics} metrics {@code bench-0} to {@code bench-(metrics-1)} in namespace
     * {@code default}, each with a fresh value of {@code series} series (BenchProvider's labels).
     */
    static MetricCache cache(int metrics, int series) {
        var cache = new MetricCache(Clock.fixed(NOW, ZoneOffset.UTC));
        List<MetricInfo> infos = new ArrayList<>(metrics);
        for (int n = 0; n < metrics; n++) {
            infos.add(new MetricInfo(new MetricKey("default", "bench-" + n), PROVIDER,
                    new TriggerSpec.Interval(Duration.ofSeconds(30)), Duration.ofSeconds(90), OnErrorPolicy.error()));
        }
        cache.registerProvider(PROVIDER, infos);
        List<Sample.SeriesValue> values = new ArrayList<>(series);
        for (int i = 0; i < series; i++) {
            values.add(new Sample.SeriesValue(labels(i), i));
        }
        for (MetricInfo info : infos) {
            cache.recordSuccess(info.key(), Sample.of(info.key().name(), OptionalDouble.of(1), values, NOW, false,
                    Optional.empty()));
        }
        return cache;
    }

    /** BenchProvider's labels of series {@code i} with three labels: {@code group=g} matches 10 series. */
    static Map<String, String> labels(int i) {
        return Map.of("shard", String.valueOf(i), "group", String.valueOf(i / 10), "label-2", "value-" + i % 7);
    }
}
