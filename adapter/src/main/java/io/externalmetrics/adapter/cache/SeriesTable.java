package io.externalmetrics.adapter.cache;

import java.util.Map;

/**
 * A metric's series as read from a provider's reply, before they are formatted into a {@link Sample}: each
 * distinct label key and value held once in a dictionary, each series' labels as ids into it, the values in
 * one array. Lets a reply be read straight into the sample's own compact form, without a message, map or
 * string per series alive at the same time.
 */
public final class SeriesTable {

    final SeriesLabels labels;
    final double[] values;

    private SeriesTable(SeriesLabels labels, double[] values) {
        this.labels = labels;
        this.values = values;
    }

    /** A builder of exactly {@code series} series with at most {@code labels} labels in all. */
    public static Builder builder(int series, int labels) {
        return new Builder(SeriesLabels.builder(series, labels), series);
    }

    /** How many series. */
    public int size() {
        return values.length;
    }

    /**
     * Takes the series one at a time. The reader of a reply checks each key and value once, when its id is
     * new ({@link #key} returned {@link #keyCount} as it was before, {@link #value} likewise), not once per
     * series.
     */
    public static final class Builder {
        private final SeriesLabels.Builder labels;
        private final LabelDictionary dictionary;
        private final double[] values;
        private int count;

        private Builder(SeriesLabels.Builder labels, int series) {
            this.labels = labels;
            this.dictionary = labels.dictionary();
            this.values = new double[series];
        }

        /** The id of {@code key}, added if new. */
        public int key(String key) {
            return dictionary.addKey(key);
        }

        /** How many distinct keys so far: the id the next new key gets. */
        public int keyCount() {
            return dictionary.keyCount();
        }

        /** The id of {@code value} among the values of key {@code keyId}, added if new. */
        public int value(int keyId, String value) {
            return dictionary.addValue(keyId, value);
        }

        /** How many distinct values key {@code keyId} has so far: the id the next new one gets. */
        public int valueCount(int keyId) {
            return dictionary.valueCount(keyId);
        }

        /**
         * Adds the next series: labels {@code keyIds[i]} = {@code valueIds[i]} for i below {@code labelCount}
         * (ids from this builder, each key once), unless an earlier series has the same labels.
         *
         * @return false, adding nothing, when an earlier series has the same labels
         */
        public boolean add(int[] keyIds, int[] valueIds, int labelCount, double value) {
            if (!labels.addDistinct(keyIds, valueIds, labelCount)) {
                return false;
            }
            values[count++] = value;
            return true;
        }

        /** Adds the next series, whatever the labels of the others. */
        Builder add(Map<String, String> seriesLabels, double value) {
            labels.add(seriesLabels);
            values[count++] = value;
            return this;
        }

        /** Slots the duplicate check visited so far (see {@link SeriesLabels.Builder#addDistinct}). */
        long probes() {
            return labels.probes();
        }

        LabelDictionary dictionary() {
            return dictionary;
        }

        /**
         * The table of the series added.
         *
         * @throws IllegalStateException when fewer series were added than the builder was made for
         */
        public SeriesTable build() {
            return new SeriesTable(labels.build(), values);
        }
    }
}
