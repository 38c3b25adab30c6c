package io.externalmetrics.adapter.cache;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;

/**
 * The labels of every series of a sample, as ids into one {@link LabelDictionary}: a few ints per label
 * instead of a map per series holding its own copies of the keys and values.
 *
 * <p>Series {@code i} has the labels {@code start[i]} to {@code start[i+1] - 1} of the parallel arrays
 * {@code keyIds} and {@code valueIds}, sorted by key id so one key is found by binary search. Immutable.
 */
final class SeriesLabels {

    /** A series' labels are searched one by one up to this many, which is faster than a binary search. */
    private static final int LINEAR_SEARCH_UP_TO = 8;

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
        return new Builder(expectedSeries, expectedSeries * 2);
    }

    /** A builder of exactly {@code expectedSeries} series holding at most {@code expectedLabels} labels in all. */
    static Builder builder(int expectedSeries, int expectedLabels) {
        return new Builder(expectedSeries, expectedLabels);
    }

    int size() {
        return start.length - 1;
    }

    LabelDictionary dictionary() {
        return dictionary;
    }

    /** The id of the value series {@code series} has for key {@code keyId}, or -1 when it has not that key. */
    int valueId(int series, int keyId) {
        int from = start[series];
        int to = start[series + 1];
        if (to - from > LINEAR_SEARCH_UP_TO) {
            int at = Arrays.binarySearch(keyIds, from, to, keyId);
            return at < 0 ? -1 : valueIds[at];
        }
        for (int at = from; at < to && keyIds[at] <= keyId; at++) {
            if (keyIds[at] == keyId) {
                return valueIds[at];
            }
        }
        return -1;
    }

    /** Where series {@code series}' labels start in {@link #keyIdAt}/{@link #valueIdAt}. */
    int from(int series) {
        return start[series];
    }

    /** Where series {@code series}' labels end (exclusive). */
    int to(int series) {
        return start[series + 1];
    }

    int keyIdAt(int label) {
        return keyIds[label];
    }

    int valueIdAt(int label) {
        return valueIds[label];
    }

    /** The labels of one series, as an immutable map of their own (made directly, not copied from another). */
    @SuppressWarnings("unchecked")
    Map<String, String> labels(int series) {
        int from = start[series];
        Map.Entry<String, String>[] labels = new Map.Entry[start[series + 1] - from];
        for (int at = from; at < start[series + 1]; at++) {
            labels[at - from] = Map.entry(dictionary.key(keyIds[at]), dictionary.value(keyIds[at], valueIds[at]));
        }
        return Map.ofEntries(labels);
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
        /** The key last asked for and its id: a selector asks for the same few keys of every series. */
        private Object lastKey;
        private int lastKeyId = -1;

        Cursor at(int series) {
            this.series = series;
            return this;
        }

        @Override
        public String get(Object key) {
            if (key != lastKey) {
                lastKeyId = key instanceof String k ? dictionary.keyId(k) : -1;
                lastKey = key;
            }
            int keyId = lastKeyId;
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
     * Collects series one at a time, numbering each distinct key and value in its dictionary as first
     * seen; keeps the first instance of each string, so the series' own copies can be collected. Sized for
     * the series (and labels) expected, so a reply whose size is known up front fills exact arrays.
     */
    static final class Builder {
        /** A walk of the label-set table longer than this moves it to a tree (see {@link #addDistinct}). */
        static final int MAX_PROBES = 64;

        private final LabelDictionary dictionary = new LabelDictionary();
        private final int[] start;
        private int series;
        private int[] keyIds;
        private int[] valueIds;
        /** The label sets added by {@link #addDistinct}: series + 1 per used slot; null until first used. */
        private int[] sets;
        private TreeSet<Integer> sortedSets;
        private long probes;

        private Builder(int expectedSeries, int expectedLabels) {
            start = new int[expectedSeries + 1];
            keyIds = new int[expectedLabels];
            valueIds = new int[expectedLabels];
        }

        LabelDictionary dictionary() {
            return dictionary;
        }

        /** Adds the next series' labels. */
        Builder add(Map<String, String> labels) {
            int from = reserve(labels.size());
            int at = from;
            for (Map.Entry<String, String> label : labels.entrySet()) {
                int keyId = dictionary.addKey(label.getKey());
                keyIds[at] = keyId;
                valueIds[at] = dictionary.addValue(keyId, label.getValue());
                at++;
            }
            sortByKey(keyIds, valueIds, from, at);
            start[++series] = at;
            return this;
        }

        /**
         * Adds the next series' labels, given as ids of this builder's dictionary (each key once), unless an
         * earlier series added here has the same labels: returns false then, and adds nothing.
         *
         * <p>Label sets are found again through an open-addressing table of series, hashed over their ids. The
         * ids follow the order a provider's strings first came in, so a provider could choose series whose
         * hashes collide: a walk longer than {@value #MAX_PROBES} slots moves every set into a tree ordered by
         * the ids, logarithmic whatever the hashes.
         */
        boolean addDistinct(int[] keys, int[] values, int count) {
            int from = reserve(count);
            System.arraycopy(keys, 0, keyIds, from, count);
            System.arraycopy(values, 0, valueIds, from, count);
            sortByKey(keyIds, valueIds, from, from + count);
            start[series + 1] = from + count;
            int added = series;
            if (sortedSets != null) {
                if (!sortedSets.add(added)) {
                    return false;
                }
            } else {
                if (sets == null) {
                    sets = new int[Math.max(8, Integer.highestOneBit(Math.max(1, start.length - 1)) * 4)];
                }
                int mask = sets.length - 1;
                int walked = 0;
                int i = (labelSetHash(added) * 0x9E3779B9) >>> (Integer.numberOfLeadingZeros(sets.length) + 1);
                for (; sets[i] != 0; i = (i + 1) & mask) {
                    probes++;
                    if (sameLabels(sets[i] - 1, added)) {
                        return false;
                    }
                    walked++;
                }
                sets[i] = added + 1;
                if (walked > MAX_PROBES) {
                    sortedSets = new TreeSet<>(this::compareLabels);
                    for (int s = 0; s <= added; s++) {
                        sortedSets.add(s);
                    }
                    sets = null;
                }
            }
            series++;
            return true;
        }

        /** Slots of the label-set table visited so far, for a test that they stay linear in the series. */
        long probes() {
            return probes;
        }

        SeriesLabels build() {
            if (series != start.length - 1) {
                throw new IllegalStateException(series + " series added, " + (start.length - 1) + " expected");
            }
            dictionary.trim();
            int labels = start[series];
            sets = null;
            sortedSets = null;
            return new SeriesLabels(dictionary, start, labels == keyIds.length ? keyIds : Arrays.copyOf(keyIds, labels),
                    labels == valueIds.length ? valueIds : Arrays.copyOf(valueIds, labels));
        }

        /** Where the next series' {@code count} labels go, growing the arrays if they have no room. */
        private int reserve(int count) {
            if (series == start.length - 1) {
                throw new IllegalStateException("more than the " + series + " series expected");
            }
            int from = start[series];
            if (from + count > keyIds.length) {
                int capacity = Math.max(from + count, keyIds.length * 2);
                keyIds = Arrays.copyOf(keyIds, capacity);
                valueIds = Arrays.copyOf(valueIds, capacity);
            }
            return from;
        }

        private int labelSetHash(int s) {
            int h = 1;
            for (int at = start[s]; at < start[s + 1]; at++) {
                h = (h * 31 + keyIds[at]) * 31 + valueIds[at];
            }
            return h ^ (h >>> 16);
        }

        private boolean sameLabels(int a, int b) {
            return compareLabels(a, b) == 0;
        }

        /** Orders series by their label count, then their (key id, value id) pairs. */
        private int compareLabels(int a, int b) {
            int aFrom = start[a];
            int bFrom = start[b];
            int size = start[a + 1] - aFrom;
            int c = Integer.compare(size, start[b + 1] - bFrom);
            for (int i = 0; c == 0 && i < size; i++) {
                c = Integer.compare(keyIds[aFrom + i], keyIds[bFrom + i]);
                if (c == 0) {
                    c = Integer.compare(valueIds[aFrom + i], valueIds[bFrom + i]);
                }
            }
            return c;
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
    }
}
