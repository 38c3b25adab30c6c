package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.LabelSelector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the label index buys a read with a selector: {@link MetricCache#read} of a metric of
 * {@code series} series with BenchProvider's labels, by a selector that matches 10 of them, alone
 * ({@code group=7}) and with a requirement that only checking can answer ({@code group=7,shard notin (71,72)}:
 * 8 series); and a selector the index cannot narrow ({@code !shard}, no series), which checks every series.
 * Only public API, so the same class measures the cache before the index.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SelectorReadBench {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    /** Series of the metric read. */
    @Param({"1000", "10000", "100000"})
    public int series;

    /** The selector, as the HPA sends it. */
    @Param({"group=7", "group=7,shard notin (71,72)", "!shard"})
    public String selector;

    private MetricCache cache;
    private Optional<LabelSelector> parsed;

    @Setup
    public void setUp() {
        cache = new MetricCache(Clock.fixed(NOW, ZoneOffset.UTC));
        var key = new MetricKey("default", "bench-0");
        cache.registerProvider("bench", List.of(new MetricInfo(key, "bench",
                new TriggerSpec.Interval(Duration.ofSeconds(30)), Duration.ofSeconds(90), OnErrorPolicy.error())));
        List<Sample.SeriesValue> values = new ArrayList<>(series);
        for (int i = 0; i < series; i++) {
            values.add(new Sample.SeriesValue(Map.of("shard", String.valueOf(i), "group", String.valueOf(i / 10),
                    "label-2", "value-" + i % 7), i));
        }
        cache.recordSuccess(key, Sample.of("bench-0", OptionalDouble.of(1), values, NOW, false, Optional.empty()));
        parsed = Optional.of(LabelSelector.parse(selector));
        if (!(read() instanceof ReadResult.Found)) {
            throw new IllegalStateException("the metric is not served: " + read());
        }
    }

    @Benchmark
    public ReadResult read() {
        return cache.read("default", "bench-0", parsed);
    }
}
