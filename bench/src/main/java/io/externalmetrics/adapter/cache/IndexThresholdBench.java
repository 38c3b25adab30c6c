package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.LabelSelector;
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
 * Where a sample starts to build its label index ({@link SeriesIndex#MIN_SERIES}): for a few series,
 * finding a selector's series through the index ({@code indexed}) against checking every series
 * ({@code scanned}), and what building the index adds to making the sample ({@code buildIndex}).
 * The selector {@code group=1} matches one series; the labels are BenchProvider's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class IndexThresholdBench {

    @Param({"4", "16", "32", "64", "256"})
    public int series;

    private final LabelSelector selector = LabelSelector.parse("group=1");
    private SeriesLabels labels;
    private SeriesIndex index;

    @Setup
    public void setUp() {
        SeriesLabels.Builder builder = SeriesLabels.builder(series);
        for (int i = 0; i < series; i++) {
            builder.add(Map.of("shard", String.valueOf(i), "group", String.valueOf(i), "label-2", "value-" + i % 7));
        }
        labels = builder.build();
        index = SeriesIndex.of(labels);
        if (indexed() != 1 || scanned() != 1) {
            throw new IllegalStateException("the selector does not match one series");
        }
    }

    @Benchmark
    public int indexed() {
        int[] candidates = index.candidates(selector.requiredLabels()).orElseThrow();
        SeriesLabels.Cursor cursor = labels.cursor();
        int found = 0;
        for (int series : candidates) {
            found += selector.matches(cursor.at(series)) ? 1 : 0;
        }
        return found;
    }

    @Benchmark
    public int scanned() {
        SeriesLabels.Cursor cursor = labels.cursor();
        int found = 0;
        for (int i = 0; i < labels.size(); i++) {
            found += selector.matches(cursor.at(i)) ? 1 : 0;
        }
        return found;
    }

    @Benchmark
    public SeriesIndex buildIndex() {
        return SeriesIndex.of(labels);
    }
}
