package io.externalmetrics.adapter.k8s;

import java.util.Map;
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
 * Label selectors: parsing a request's {@code labelSelector} text, and matching one series' labels
 * (a read with a selector matches every series of the metric, so this is per series).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SelectorBench {

    /** A bench/run selector, and one with every kind of requirement. */
    @Param({"group=7", "app=web,tier in (a,b),!canary,version!=3"})
    public String selector;

    private LabelSelector parsed;
    // BenchProvider's labels (shard, group, label-2) and two more: each selector takes the first, not the other
    private final Map<String, String> matching =
            Map.of("shard", "75", "group", "7", "label-2", "value-5", "app", "web", "tier", "a");
    private final Map<String, String> other =
            Map.of("shard", "85", "group", "8", "label-2", "value-1", "app", "web", "tier", "c");

    @Setup
    public void setUp() {
        parsed = LabelSelector.parse(selector);
        if (!parsed.matches(matching) || parsed.matches(other)) {
            throw new IllegalStateException(selector + " must match " + matching + " and not " + other);
        }
    }

    @Benchmark
    public LabelSelector parse() {
        return LabelSelector.parse(selector);
    }

    @Benchmark
    public boolean matchOneSeries() {
        return parsed.matches(matching);
    }

    @Benchmark
    public boolean rejectOneSeries() {
        return parsed.matches(other);
    }
}
