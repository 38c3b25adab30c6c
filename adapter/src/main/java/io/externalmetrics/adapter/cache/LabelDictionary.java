package io.externalmetrics.adapter.cache;

import java.util.Arrays;
import java.util.HashMap;

/**
 * The distinct label keys of a sample's series and, per key, its distinct values, each string held
 * once: series refer to them by id ({@link SeriesLabels}), so a key that every series has, or a value
 * that many share, costs one string instead of one per series. Ids are given in the order first added.
 *
 * <p>Filled by {@link SeriesLabels.Builder} while its sample is made, then only read (the sample
 * publishes it through final fields).
 */
final class LabelDictionary {

    private final StringIds keys = new StringIds();
    private StringIds[] values = new StringIds[0];

    /** The id of {@code key}, or -1 when no series has it. */
    int keyId(String key) {
        return keys.find(key);
    }

    /** The id of {@code value} among the values of key {@code keyId}, or -1 when no series has it. */
    int valueId(int keyId, String value) {
        return values[keyId].find(value);
    }

    String key(int keyId) {
        return keys.string(keyId);
    }

    String value(int keyId, int valueId) {
        return values[keyId].string(valueId);
    }

    int keyCount() {
        return keys.count();
    }

    int valueCount(int keyId) {
        return values[keyId].count();
    }

    /** The id of {@code key}, added if new. */
    int addKey(String key) {
        int id = keys.add(key);
        if (id == values.length) {
            values = Arrays.copyOf(values, id + 1);
            values[id] = new StringIds();
        }
        return id;
    }

    /** The id of {@code value} among the values of key {@code keyId}, added if new. */
    int addValue(int keyId, String value) {
        return values[keyId].add(value);
    }

    /** Drops the room kept for more strings, once every series is added. */
    void trim() {
        keys.trim();
        for (StringIds ids : values) {
            ids.trim();
        }
    }

    /** Slots visited by every lookup and insertion so far, for a test that they stay linear in the strings. */
    long probes() {
        long probes = keys.probes;
        for (StringIds ids : values) {
            probes += ids.probes;
        }
        return probes;
    }

    /**
     * Distinct strings numbered in the order added, found again through an open-addressing table of their
     * ids (a few bytes per string, no boxed integers or map entries), at most half full.
     *
     * <p>The strings come from a provider, which could choose many with one {@link String#hashCode} (such as
     * {@code "Aa"} and {@code "BB"}): linear probing would then walk one ever longer run per insertion, a
     * quadratic fetch. A walk longer than {@value #MAX_PROBES} slots, which strings of spread hashes make
     * vanishingly rare, moves the table into a {@link HashMap}, whose bins of colliding strings become
     * trees ordered by {@link String#compareTo}: logarithmic, whatever the hashes.
     */
    private static final class StringIds {
        static final int MAX_PROBES = 64;

        private String[] strings = new String[4];
        private int count;
        /** Id + 1 of the string whose hash leads here (or past here, probing linearly); 0 is free. */
        private int[] slots = new int[8];
        /** Replaces {@link #slots} once a walk was too long. */
        private HashMap<String, Integer> ids;
        private long probes;

        int count() {
            return count;
        }

        String string(int id) {
            return strings[id];
        }

        int find(String s) {
            if (ids != null) {
                Integer id = ids.get(s);
                return id == null ? -1 : id;
            }
            int mask = slots.length - 1;
            for (int i = slot(s, slots.length); ; i = (i + 1) & mask) {
                probes++;
                int id = slots[i] - 1;
                if (id < 0 || strings[id].equals(s)) {
                    return id;
                }
            }
        }

        int add(String s) {
            if (ids != null) {
                Integer id = ids.putIfAbsent(s, count);
                return id != null ? id : append(s);
            }
            int mask = slots.length - 1;
            int i = slot(s, slots.length);
            int walked = 0;
            for (; slots[i] != 0; i = (i + 1) & mask) {
                probes++;
                if (strings[slots[i] - 1].equals(s)) {
                    return slots[i] - 1;
                }
                walked++;
            }
            int id = append(s);
            slots[i] = id + 1;
            if (walked > MAX_PROBES) {
                toHashMap();
            } else if (count * 2 > slots.length) {
                rehash(slots.length * 2);
            }
            return id;
        }

        void trim() {
            strings = Arrays.copyOf(strings, count);
        }

        private int append(String s) {
            if (count == strings.length) {
                strings = Arrays.copyOf(strings, count * 2);
            }
            strings[count] = s;
            return count++;
        }

        private void toHashMap() {
            ids = HashMap.newHashMap(Math.max(count * 2, 16));
            for (int id = 0; id < count; id++) {
                ids.put(strings[id], id);
            }
            slots = null;
        }

        private void rehash(int capacity) {
            int[] rehashed = new int[capacity];
            int mask = capacity - 1;
            for (int id = 0; id < count; id++) {
                int i = slot(strings[id], capacity);
                int walked = 0;
                while (rehashed[i] != 0) {
                    probes++;
                    i = (i + 1) & mask;
                    walked++;
                }
                if (walked > MAX_PROBES) {
                    toHashMap();
                    return;
                }
                rehashed[i] = id + 1;
            }
            slots = rehashed;
        }

        /**
         * Where a string's search starts in a table of {@code capacity} (a power of two) slots: the top bits of
         * its hash times the golden ratio, which spreads the near-consecutive hashes of strings such as
         * {@code "17"}, {@code "18"} that linear probing would otherwise pile into long runs.
         */
        private static int slot(String s, int capacity) {
            return (s.hashCode() * 0x9E3779B9) >>> (Integer.numberOfLeadingZeros(capacity) + 1);
        }
    }
}
