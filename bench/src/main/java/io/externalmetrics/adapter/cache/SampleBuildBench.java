package io.externalmetrics.adapter.cache;

import java.time.Instant;
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
 * What making a {@link Sample} costs a fetch, from the provider's series to the encoded, indexed sample:
 * {@code series} series with BenchProvider's three labels (3 is the bench's many small metrics). The
 * compact storage and the index are built here, off the read path. Only public API, so the same class
 * measures the cache before them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SampleBuildBench {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @Param({"3", "1000", "100000"})
    public int series;

    private List<Sample.SeriesValue> values;

    @Setup
    public void setUp() {
        values = new ArrayList<>(series);
        for (int i = 0; i < series; i++) {
            values.add(new Sample.SeriesValue(Map.of("shard", String.valueOf(i), "group", String.valueOf(i / 10),
                    "label-2", "value-" + i % 7), i));
        }
    }

    @Benchmark
    public Sample build() {
        return Sample.of("bench-0", OptionalDouble.of(1), values, NOW, false, Optional.empty());
    }
}
