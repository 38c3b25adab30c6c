package io.externalmetrics.adapter.k8s;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
 * Encoding a value list of N series: every {@code ExternalMetricValue} item and the list from scratch
 * (what a refresh does, once per fetch), and the {@code ExternalMetricValueList} assembled from items
 * encoded before (what a read with a selector does).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ValueListBench {

    private static final Instant OBSERVED = Instant.parse("2026-11-30T12:00:00Z");
    private static final Optional<Duration> WINDOW = Optional.of(Duration.ofSeconds(30));
    /** Items in the list. */
    @Param({"1", "10", "1000"})
    public int items;

    private List<Map<String, String>> labels;
    private List<byte[]> encoded;

    @Setup
    public void setUp() {
        labels = new ArrayList<>(items);
        for (int i = 0; i < items; i++) {
            // BenchProvider's labels of series i with 3 labels
            labels.add(Map.of("shard", String.valueOf(i), "group", String.valueOf(i / 10),
                    "label-2", "value-" + i % 7));
        }
        encoded = encode();
    }

    @Benchmark
    public byte[] encodeItemsAndList() {
        return ExternalMetricJson.list(encode());
    }

    /** As a fetch encodes: on a virtual thread of its own (what a thread keeps between fetches does not help). */
    @Benchmark
    public byte[] encodeItemsAndListOnANewVirtualThread() throws InterruptedException {
        var body = new AtomicReference<byte[]>();
        Thread.ofVirtual().start(() -> body.set(encodeItemsAndList())).join();
        return body.get();
    }

    @Benchmark
    public byte[] assembleList() {
        return ExternalMetricJson.list(encoded);
    }

    private List<byte[]> encode() {
        List<byte[]> out = new ArrayList<>(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            out.add(ExternalMetricJson.item("bench-0", labels.get(i), OBSERVED, WINDOW, "1500m"));
        }
        return out;
    }
}
