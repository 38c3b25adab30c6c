package io.externalmetrics.adapter.cache;

import java.util.Arrays;

/**
 * The distinct label keys of a sample's series and, per key, its distinct values, each string held
 * once: series refer to them by id ({@link SeriesLabels}), so a key that every series has, or a value
 * that many share, costs one string instead of one per series. An id is a position in a sorted array,
 * found by binary search. Immutable.
 */
final class LabelDictionary {

    private final String[] keys;
    private final String[][] values;

    /**
     * @param keys   the distinct keys, sorted
     * @param values per key id, its distinct values, sorted
     */
    LabelDictionary(String[] keys, String[][] values) {
        if (keys.length != values.length) {
            throw new IllegalArgumentException(keys.length + " keys but values for " + values.length);
        }
        this.keys = keys;
        this.values = values;
    }

    /** The id of {@code key}, or -1 when no series has it. */
    int keyId(String key) {
        int id = Arrays.binarySearch(keys, key);
        return id < 0 ? -1 : id;
    }

    /** The id of {@code value} among the values of key {@code keyId}, or -1 when no series has it. */
    int valueId(int keyId, String value) {
        int id = Arrays.binarySearch(values[keyId], value);
        return id < 0 ? -1 : id;
    }

    String key(int keyId) {
        return keys[keyId];
    }

    String value(int keyId, int valueId) {
        return values[keyId][valueId];
    }

    int keyCount() {
        return keys.length;
    }

    int valueCount(int keyId) {
        return values[keyId].length;
    }
}
