package io.externalmetrics.adapter.cache;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Finding a metric among 10,000 registered ({@code bench/run}'s targets (d) and (e)): a read by its exact
 * name, one by a name differing in case, and a miss (the 404), each without selector.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LookupBench {

    private static final int METRICS = 10_000;

    private MetricCache cache;

    @Setup
    public void setUp() {
        cache = CacheFixtures.cache(METRICS, 3);
        check(read("bench-5000"), ReadResult.Found.class);
        check(read("Bench-5000"), ReadResult.Found.class);
        check(read("no-such-metric"), ReadResult.NotFound.class);
    }

    @Benchmark
    public ReadResult exactHit() {
        return read("bench-5000");
    }

    @Benchmark
    public ReadResult ignoringCaseHit() {
        return read("Bench-5000");
    }

    @Benchmark
    public ReadResult miss() {
        return read("no-such-metric");
    }

    private ReadResult read(String name) {
        return cache.read("default", name, Optional.empty());
    }

    /** A benchmark of the wrong answer measures nothing: fails the run instead. */
    static void check(ReadResult result, Class<? extends ReadResult> expected) {
        if (!expected.isInstance(result)) {
            throw new IllegalStateException("expected " + expected.getSimpleName() + ", got " + result);
        }
    }
}
