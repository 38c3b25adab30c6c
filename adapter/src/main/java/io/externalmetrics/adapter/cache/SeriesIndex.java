package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.k8s.LabelSelector.RequiredLabel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which series hold each label, so that a selector such as {@code group=7} finds its 10 series among
 * 10,000 without checking the others. For each key: the positions of the series holding each of its
 * values, ascending, and, when not every series has the key, the positions of those that do.
 *
 * <p>It only narrows: the series holding every {@linkplain LabelSelector#requiredLabels required label}
 * are the candidates, which the selector then checks one by one, so the answer is the scan's by
 * construction, in series order. Immutable.
 */
final class SeriesIndex {

    /**
     * Below this many series a read checks every series and no index is built: IndexThresholdBench on a
     * busy 2-core machine put a scan of 32 series at ~0.4 us, a read through the index at ~0.1 us, and
     * building the index, on every fetch, at ~1 us; small metrics are often fetched more than read.
     */
    static final int MIN_SERIES = 32;

    private final LabelDictionary dictionary;
    /** Per key id k: the series with value v are at positions[k][valueStart[k][v]] up to valueStart[k][v + 1]. */
    private final int[][] valueStart;
    private final int[][] positions;
    /** Per key id: the series with the key, ascending; null when every series has it (nothing to narrow). */
    private final int[][] withKey;

    private SeriesIndex(LabelDictionary dictionary, int[][] valueStart, int[][] positions, int[][] withKey) {
        this.dictionary = dictionary;
        this.valueStart = valueStart;
        this.positions = positions;
        this.withKey = withKey;
    }

    /** Indexes every label of every series: one pass to count, one to place. */
    static SeriesIndex of(SeriesLabels labels) {
        LabelDictionary dictionary = labels.dictionary();
        int keys = dictionary.keyCount();
        int[][] valueStart = new int[keys][];
        int[] holding = new int[keys];
        for (int k = 0; k < keys; k++) {
            valueStart[k] = new int[dictionary.valueCount(k) + 1];
        }
        for (int s = 0; s < labels.size(); s++) {
            for (int at = labels.from(s); at < labels.to(s); at++) {
                int k = labels.keyIdAt(at);
                valueStart[k][labels.valueIdAt(at) + 1]++;
                holding[k]++;
            }
        }
        int[][] positions = new int[keys][];
        int[][] next = new int[keys][];
        int[][] withKey = new int[keys][];
        int[] withCount = new int[keys];
        for (int k = 0; k < keys; k++) {
            int[] start = valueStart[k];
            for (int v = 1; v < start.length; v++) {
                start[v] += start[v - 1];
            }
            next[k] = Arrays.copyOf(start, start.length - 1);
            positions[k] = new int[holding[k]];
            withKey[k] = holding[k] == labels.size() ? null : new int[holding[k]];
        }
        for (int s = 0; s < labels.size(); s++) {
            for (int at = labels.from(s); at < labels.to(s); at++) {
                int k = labels.keyIdAt(at);
                positions[k][next[k][labels.valueIdAt(at)]++] = s;
                if (withKey[k] != null) {
                    withKey[k][withCount[k]++] = s;
                }
            }
        }
        return new SeriesIndex(dictionary, valueStart, positions, withKey);
    }

    /**
     * The series holding every one of {@code required}, ascending; empty when these cannot narrow the
     * series (there are none, or only keys every series has), so every series must be checked.
     */
    Optional<int[]> candidates(List<RequiredLabel> required) {
        List<Run> runs = new ArrayList<>(required.size());
        for (RequiredLabel label : required) {
            int k = dictionary.keyId(label.key());
            if (k < 0) {
                return Optional.of(new int[0]);
            }
            if (label.values().isEmpty()) {
                if (withKey[k] != null) {
                    runs.add(new Run(withKey[k], 0, withKey[k].length));
                }
                continue;
            }
            Run run = holding(k, label.values());
            if (run.size() == 0) {
                return Optional.of(new int[0]);
            }
            runs.add(run);
        }
        if (runs.isEmpty()) {
            return Optional.empty();
        }
        runs.sort(Comparator.comparingInt(Run::size));
        Run smallest = runs.getFirst();
        int[] found = Arrays.copyOfRange(smallest.positions(), smallest.from(), smallest.to());
        int count = found.length;
        for (Run other : runs.subList(1, runs.size())) {
            int kept = 0;
            for (int i = 0; i < count; i++) {
                if (other.contains(found[i])) {
                    found[kept++] = found[i];
                }
            }
            count = kept;
        }
        return Optional.of(count == found.length ? found : Arrays.copyOf(found, count));
    }

    /** The series whose key {@code k} has one of {@code values}, ascending. */
    private Run holding(int k, List<String> values) {
        if (values.size() == 1) {
            int v = dictionary.valueId(k, values.getFirst());
            return v < 0 ? new Run(positions[k], 0, 0)
                    : new Run(positions[k], valueStart[k][v], valueStart[k][v + 1]);
        }
        int[] merged = new int[0];
        int count = 0;
        for (String value : values) {
            int v = dictionary.valueId(k, value);
            if (v >= 0) {
                int size = valueStart[k][v + 1] - valueStart[k][v];
                merged = Arrays.copyOf(merged, count + size);
                System.arraycopy(positions[k], valueStart[k][v], merged, count, size);
                count += size;
            }
        }
        Arrays.sort(merged); // a series has one value per key: the runs are disjoint
        return new Run(merged, 0, count);
    }

    /** Positions {@code from} to {@code to - 1} of an ascending array. */
    private record Run(int[] positions, int from, int to) {
        int size() {
            return to - from;
        }

        boolean contains(int series) {
            return Arrays.binarySearch(positions, from, to, series) >= 0;
        }
    }
}
