package io.externalmetrics.adapter.cache;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The labels of every series of a sample, as ids into one {@link LabelDictionary}: a few ints per label
 * instead of a map per series holding its own copies of the keys and values.
 *
 * <p>Series {@code i} has the labels {@code start[i]} to {@code start[i+1] - 1} of the parallel arrays
 * {@code keyIds} and {@code valueIds}, sorted by key id so one key is found by binary search. Immutable.
 */
final class SeriesLabels {

    private final LabelDictionary dictionary;
    private final int[] start;
    private final int[] keyIds;
    private final int[] valueIds;

    private SeriesLabels(LabelDictionary dictionary, int[] start, int[] keyIds, int[] valueIds) {
        this.dictionary = dictionary;
        this.start = start;
        this.keyIds = keyIds;
        this.valueIds = valueIds;
    }

    static Builder builder(int expectedSeries) {
        return new Builder(expectedSeries);
    }

    int size() {
        return start.length - 1;
    }

    LabelDictionary dictionary() {
        return dictionary;
    }

    /** The id of the value series {@code series} has for key {@code keyId}, or -1 when it has not that key. */
    int valueId(int series, int keyId) {
        int at = Arrays.binarySearch(keyIds, start[series], start[series + 1], keyId);
        return at < 0 ? -1 : valueIds[at];
    }

    /** The labels of one series, as an immutable map of their own. */
    Map<String, String> labels(int series) {
        var labels = HashMap.<String, String>newHashMap(start[series + 1] - start[series]);
        for (int at = start[series]; at < start[series + 1]; at++) {
            labels.put(dictionary.key(keyIds[at]), dictionary.value(keyIds[at], valueIds[at]));
        }
        return Map.copyOf(labels);
    }

    /** A map view of one series' labels at a time, for matching many series without a map each. */
    Cursor cursor() {
        return new Cursor();
    }

    /**
     * The labels of the series it was last {@linkplain #at moved to}, read from the ids. A reused, mutable
     * view: for one thread's loop that hands each series to {@code LabelSelector.matches} and keeps nothing.
     */
    final class Cursor extends AbstractMap<String, String> {
        private int series;

        Cursor at(int series) {
            this.series = series;
            return this;
        }

        @Override
        public String get(Object key) {
            int keyId = key instanceof String k ? dictionary.keyId(k) : -1;
            int valueId = keyId < 0 ? -1 : valueId(series, keyId);
            return valueId < 0 ? null : dictionary.value(keyId, valueId);
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public Set<Entry<String, String>> entrySet() {
            int from = start[series];
            int to = start[series + 1];
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, String>> iterator() {
                    return new Iterator<>() {
                        private int at = from;

                        @Override
                        public boolean hasNext() {
                            return at < to;
                        }

                        @Override
                        public Entry<String, String> next() {
                            if (at >= to) {
                                throw new NoSuchElementException();
                            }
                            int label = at++;
                            return Map.entry(dictionary.key(keyIds[label]),
                                    dictionary.value(keyIds[label], valueIds[label]));
                        }
                    };
                }

                @Override
                public int size() {
                    return to - from;
                }
            };
        }
    }

    /**
     * Collects series one at a time, giving each distinct key and value an id in the order first seen,
     * then renumbers them in sorted order when built. Keeps the first instance of each string it sees.
     */
    static final class Builder {
        private final Map<String, Values> keys = new HashMap<>();
        private final List<Values> keysInOrder = new ArrayList<>();
        private final int[] start;
        private int series;
        private int[] keyIds;
        private int[] valueIds;

        private Builder(int expectedSeries) {
            start = new int[expectedSeries + 1];
            keyIds = new int[expectedSeries * 2];
            valueIds = new int[expectedSeries * 2];
        }

        /** Adds the next series' labels. */
        Builder add(Map<String, String> labels) {
            if (series == start.length - 1) {
                throw new IllegalStateException("more than the " + series + " series expected");
            }
            int at = start[series];
            if (at + labels.size() > keyIds.length) {
                int capacity = Math.max(at + labels.size(), keyIds.length * 2);
                keyIds = Arrays.copyOf(keyIds, capacity);
                valueIds = Arrays.copyOf(valueIds, capacity);
            }
            for (Map.Entry<String, String> label : labels.entrySet()) {
                Values values = keys.computeIfAbsent(label.getKey(), key -> {
                    var added = new Values(key, keysInOrder.size());
                    keysInOrder.add(added);
                    return added;
                });
                keyIds[at] = values.id;
                valueIds[at] = values.id(label.getValue());
                at++;
            }
            start[++series] = at;
            return this;
        }

        SeriesLabels build() {
            if (series != start.length - 1) {
                throw new IllegalStateException(series + " series added, " + (start.length - 1) + " expected");
            }
            String[] sortedKeys = keysInOrder.stream().map(v -> v.key).sorted().toArray(String[]::new);
            String[][] sortedValues = new String[sortedKeys.length][];
            int[] keyRenumbered = new int[sortedKeys.length];
            int[][] valueRenumbered = new int[sortedKeys.length][];
            for (Values values : keysInOrder) {
                int keyId = Arrays.binarySearch(sortedKeys, values.key);
                keyRenumbered[values.id] = keyId;
                sortedValues[keyId] = values.inOrder.stream().sorted().toArray(String[]::new);
                valueRenumbered[values.id] = new int[values.inOrder.size()];
                for (int i = 0; i < values.inOrder.size(); i++) {
                    valueRenumbered[values.id][i] = Arrays.binarySearch(sortedValues[keyId], values.inOrder.get(i));
                }
            }
            int labels = start[series];
            int[] finalKeyIds = new int[labels];
            int[] finalValueIds = new int[labels];
            for (int at = 0; at < labels; at++) {
                finalKeyIds[at] = keyRenumbered[keyIds[at]];
                finalValueIds[at] = valueRenumbered[keyIds[at]][valueIds[at]];
            }
            for (int s = 0; s < series; s++) {
                sortByKey(finalKeyIds, finalValueIds, start[s], start[s + 1]);
            }
            return new SeriesLabels(new LabelDictionary(sortedKeys, sortedValues), start, finalKeyIds,
                    finalValueIds);
        }

        /** Insertion sort of one series' few labels by key id, moving the value ids along. */
        private static void sortByKey(int[] keyIds, int[] valueIds, int from, int to) {
            for (int i = from + 1; i < to; i++) {
                int key = keyIds[i];
                int value = valueIds[i];
                int j = i - 1;
                while (j >= from && keyIds[j] > key) {
                    keyIds[j + 1] = keyIds[j];
                    valueIds[j + 1] = valueIds[j];
                    j--;
                }
                keyIds[j + 1] = key;
                valueIds[j + 1] = value;
            }
        }

        /** One key's values while building, numbered in the order first seen. */
        private static final class Values {
            private final String key;
            private final int id;
            private final Map<String, Integer> ids = new HashMap<>();
            private final List<String> inOrder = new ArrayList<>();

            Values(String key, int id) {
                this.key = key;
                this.id = id;
            }

            int id(String value) {
                Integer known = ids.get(value);
                if (known != null) {
                    return known;
                }
                ids.put(value, inOrder.size());
                inOrder.add(value);
                return inOrder.size() - 1;
            }
        }
    }
}
