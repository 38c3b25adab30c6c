package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.LabelSelector;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
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
 * A read with a selector matching 10 series of a metric with 1,000 or 10,000 ({@code bench/run}'s
 * targets (b) and (c)), from the cache's read to the answer's bytes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SelectionBench {

    /** Series of the metric read. */
    @Param({"1000", "10000"})
    public int series;

    private MetricCache cache;
    private final Optional<LabelSelector> selector = Optional.of(LabelSelector.parse("group=7"));

    @Setup
    public void setUp() {
        cache = CacheFixtures.cache(1, series);
        ReadResult result = read();
        LookupBench.check(result, ReadResult.Found.class);
        String body = new String(((ReadResult.Found) result).body(), StandardCharsets.UTF_8);
        int items = body.split("\"metricName\"", -1).length - 1;
        if (items != 10) {
            throw new IllegalStateException("the selector matched " + items + " series, not 10");
        }
    }

    @Benchmark
    public ReadResult selectTenSeries() {
        return read();
    }

    private ReadResult read() {
        return cache.read("default", "bench-0", selector);
    }
}
