package io.externalmetrics.bench;

import io.externalmetrics.adapter.cache.Sample;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.AbstractList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Heap a metric's series take in the adapter's cache: for each size given (default 10,000, 100,000 and
 * 1,000,000) it builds one {@link Sample} of that many series with {@link BenchProvider}'s three labels
 * ({@code shard}, {@code group}, {@code label-2}), through {@link Sample#of} as a fetch does, holds it,
 * runs a full GC and prints one line: {@code series=100000 bytesPerSeries=NNN heapUsedMiB=NN}, where
 * bytesPerSeries is the heap used after GC with the sample held, less the heap used before it was built,
 * per series, and heapUsedMiB is the heap used after GC with the sample held.
 *
 * <p>Every series gets fresh key and value strings, as a parsed protobuf reply gives the adapter, so what
 * the cache does not share is counted. The series are made one at a time as {@code Sample.of} reads them,
 * so the transient input does not limit the sizes that fit: run with {@code -Xmx1g} to see that 1M series
 * fit in a 1 GiB heap.
 *
 * <p>{@code java -cp externalmetrics-bench-*-all.jar io.externalmetrics.bench.SeriesMemory [SERIES...]}
 */
public final class SeriesMemory {

    private static final int LABELS = 3;
    private static final int SETTLE_GCS = 3;

    private SeriesMemory() {
    }

    /**
     * Prints one line per size.
     *
     * @param args series counts, each a positive integer; none: 10000 100000 1000000
     */
    public static void main(String[] args) {
        List<Integer> sizes;
        try {
            sizes = args.length == 0 ? List.of(10_000, 100_000, 1_000_000)
                    : List.of(args).stream().map(SeriesMemory::size).toList();
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: java -cp externalmetrics-bench-*-all.jar io.externalmetrics.bench.SeriesMemory"
                    + " [SERIES...]");
            System.exit(2);
            return;
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        warmUp();
        for (int size : sizes) {
            long before = usedAfterGc(memory);
            Sample sample = sample(size);
            long after = usedAfterGc(memory);
            Reference.reachabilityFence(sample);
            System.out.printf("series=%d bytesPerSeries=%d heapUsedMiB=%d%n",
                    size, (after - before) / size, after >> 20);
        }
    }

    /** One metric's value as a fetch of the bench provider gives it: base value 1 and {@code size} series. */
    static Sample sample(int size) {
        return Sample.of("bench-0", OptionalDouble.of(1), new FreshSeries(size), Instant.now(), false,
                Optional.empty());
    }

    /** Loads the classes a sample needs, so the first size does not count them. */
    private static void warmUp() {
        Reference.reachabilityFence(sample(100));
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < SETTLE_GCS; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static int size(String arg) {
        try {
            int size = Integer.parseInt(arg);
            if (size > 0) {
                return size;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("series count must be a positive integer, got \"" + arg + "\"");
    }

    /** The series of a bench metric, each made when read, with its own copies of every key and value. */
    private static final class FreshSeries extends AbstractList<Sample.SeriesValue> {
        private final int size;

        FreshSeries(int size) {
            this.size = size;
        }

        @Override
        public Sample.SeriesValue get(int index) {
            var labels = new LinkedHashMap<String, String>();
            for (Map.Entry<String, String> label : BenchProvider.labels(index, LABELS).entrySet()) {
                labels.put(fresh(label.getKey()), fresh(label.getValue()));
            }
            return new Sample.SeriesValue(labels, index);
        }

        @Override
        public int size() {
            return size;
        }

        /** A copy with its own bytes ({@code new String(String)} would share them), as a parsed reply has. */
        private static String fresh(String s) {
            return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        }
    }
}
