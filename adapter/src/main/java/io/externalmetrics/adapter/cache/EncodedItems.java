package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import io.externalmetrics.adapter.k8s.Quantity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The encoded {@code ExternalMetricValue} items of a sample's series, kept back to back as the one
 * {@code ExternalMetricValueList} that holds them all: one array instead of one per series, which is
 * also the answer to a read of every series. A read of some series copies their ranges into its answer.
 *
 * <p>Item {@code i} is the bytes {@code at[i]} to {@code at[i+1] - 2}: each item is followed by one byte,
 * the comma before the next or, after the last, the first byte of the list's end. Immutable.
 */
final class EncodedItems {

    private static final byte[] EMPTY_LIST = ExternalMetricJson.list(List.of());
    /** Where the items of every list start: found by listing one marker item rather than assumed. */
    private static final int ITEMS_AT = itemsAt();

    private final byte[] list;
    private final int[] at;

    private EncodedItems(byte[] list, int[] at) {
        this.list = list;
        this.at = at;
    }

    int size() {
        return at.length - 1;
    }

    /** The list of every item. */
    byte[] all() {
        return list;
    }

    /** Item {@code i}, a copy. */
    byte[] item(int i) {
        return Arrays.copyOfRange(list, at[i], at[i + 1] - 1);
    }

    /**
     * The quantity of item {@code i}, read back from its bytes: every item ends with
     * {@code "value":"<quantity>"}}, and a quantity holds no quote.
     */
    String quantity(int i) {
        int end = at[i + 1] - 3; // before "}
        int from = end;
        while (list[from - 1] != '"') {
            from--;
        }
        return new String(list, from, end - from, StandardCharsets.US_ASCII);
    }

    /** The list of the items at {@code positions[0]} to {@code positions[count - 1]}, in that order. */
    byte[] list(int[] positions, int count) {
        if (size() == 0) {
            return EMPTY_LIST;
        }
        int suffixFrom = at[size()] - 1;
        int suffix = list.length - suffixFrom;
        int length = ITEMS_AT + suffix + Math.max(0, count - 1);
        for (int i = 0; i < count; i++) {
            length += at[positions[i] + 1] - 1 - at[positions[i]];
        }
        byte[] answer = new byte[length];
        System.arraycopy(list, 0, answer, 0, ITEMS_AT);
        int to = ITEMS_AT;
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                answer[to++] = ',';
            }
            int from = at[positions[i]];
            int itemLength = at[positions[i] + 1] - 1 - from;
            System.arraycopy(list, from, answer, to, itemLength);
            to += itemLength;
        }
        System.arraycopy(list, suffixFrom, answer, to, suffix);
        return answer;
    }

    private static int itemsAt() {
        byte[] marker = {'#'};
        byte[] list = ExternalMetricJson.list(List.of(marker));
        for (int i = 0; i < list.length; i++) {
            if (list[i] == '#') {
                return i;
            }
        }
        throw new IllegalStateException("a list does not hold its item");
    }

    /**
     * The items of series with these labels and values, each as {@link ExternalMetricJson#item} writes it,
     * in one array of exactly their size: every length is summed first (each quantity formatted once and
     * kept as ASCII meanwhile), then the items are written in place. So no buffer grows and no full copy of
     * the items is ever made: a metric of a million series holds one such array, not two or three.
     *
     * @throws IllegalArgumentException for a NaN or infinite value
     */
    static EncodedItems encode(String metricName, SeriesLabels labels, double[] values, Instant timestamp,
                               Optional<Duration> window) {
        int count = values.length;
        if (count == 0) {
            return new EncodedItems(EMPTY_LIST, new int[1]);
        }
        LabelDictionary dictionary = labels.dictionary();
        byte[] head = concat(ascii("{\"metricName\":"), ExternalMetricJson.string(metricName),
                ascii(",\"metricLabels\":{"));
        byte[] middle = concat(ascii("},\"timestamp\":"),
                ExternalMetricJson.string(ExternalMetricJson.timestamp(timestamp)),
                window.isPresent() ? ascii(",\"window\":" + window.get().toSeconds()) : new byte[0],
                ascii(",\"value\":\""));
        byte[][] keys = new byte[dictionary.keyCount()][];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = concat(ExternalMetricJson.string(dictionary.key(k)), ascii(":"));
        }
        int[] rank = keyRanks(dictionary);
        Quantities quantities = new Quantities(count);
        long length = ITEMS_AT + (EMPTY_LIST.length - ITEMS_AT) + (count - 1);
        for (int i = 0; i < count; i++) {
            length += head.length + middle.length + quantities.add(values[i]) + 2; // the quantity's end: "}
            for (int at = labels.from(i); at < labels.to(i); at++) {
                int k = labels.keyIdAt(at);
                length += keys[k].length + jsonLength(dictionary.value(k, labels.valueIdAt(at))) + 1; // , or }
            }
            length -= labels.from(i) == labels.to(i) ? 0 : 1;
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(count + " items of " + length + " bytes are more than an array holds");
        }
        byte[] list = new byte[(int) length];
        int[] at = new int[count + 1];
        System.arraycopy(EMPTY_LIST, 0, list, 0, ITEMS_AT);
        int to = ITEMS_AT;
        int[] order = new int[8];
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                list[to++] = ',';
            }
            at[i] = to;
            to = put(list, to, head);
            int from = labels.from(i);
            int size = labels.to(i) - from;
            if (order.length < size) {
                order = new int[size];
            }
            sortByKeyName(labels, rank, from, size, order);
            for (int j = 0; j < size; j++) {
                if (j > 0) {
                    list[to++] = ',';
                }
                int k = labels.keyIdAt(order[j]);
                to = put(list, to, keys[k]);
                to = putJson(list, to, dictionary.value(k, labels.valueIdAt(order[j])));
            }
            to = put(list, to, middle);
            to = quantities.put(i, list, to);
            list[to++] = '"';
            list[to++] = '}';
        }
        at[count] = to + 1;
        System.arraycopy(EMPTY_LIST, ITEMS_AT, list, to, EMPTY_LIST.length - ITEMS_AT);
        return new EncodedItems(list, at);
    }

    /** Per key id, its place among the dictionary's keys in {@link String#compareTo} order, as Go sorts a map. */
    private static int[] keyRanks(LabelDictionary dictionary) {
        Integer[] byName = new Integer[dictionary.keyCount()];
        for (int k = 0; k < byName.length; k++) {
            byName[k] = k;
        }
        Arrays.sort(byName, (a, b) -> dictionary.key(a).compareTo(dictionary.key(b)));
        int[] rank = new int[byName.length];
        for (int r = 0; r < byName.length; r++) {
            rank[byName[r]] = r;
        }
        return rank;
    }

    /** Puts the label positions {@code from} to {@code from + size - 1} into {@code order} by key name. */
    private static void sortByKeyName(SeriesLabels labels, int[] rank, int from, int size, int[] order) {
        for (int j = 0; j < size; j++) {
            int label = from + j;
            int r = rank[labels.keyIdAt(label)];
            int i = j - 1;
            while (i >= 0 && rank[labels.keyIdAt(order[i])] > r) {
                order[i + 1] = order[i];
                i--;
            }
            order[i + 1] = label;
        }
    }

    private static int jsonLength(String s) {
        return ExternalMetricJson.isPlain(s) ? s.length() + 2 : ExternalMetricJson.string(s).length;
    }

    private static int putJson(byte[] to, int at, String s) {
        if (!ExternalMetricJson.isPlain(s)) {
            return put(to, at, ExternalMetricJson.string(s));
        }
        to[at++] = '"';
        for (int i = 0; i < s.length(); i++) {
            to[at++] = (byte) s.charAt(i);
        }
        to[at++] = '"';
        return at;
    }

    private static int put(byte[] to, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, to, at, bytes.length);
        return at + bytes.length;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            at = put(all, at, part);
        }
        return all;
    }

    /**
     * The formatted quantities of the series, back to back as ASCII while their items are measured and
     * written: a few bytes each instead of a string each. A quantity needs no JSON escape.
     */
    private static final class Quantities {
        private final int[] end;
        private byte[] text;
        private int count;

        Quantities(int count) {
            end = new int[count];
            text = new byte[Math.min(count, 1 << 20) * 4];
        }

        /** Formats the next value; returns its length. */
        int add(double value) {
            String quantity = Quantity.format(value);
            int from = count == 0 ? 0 : end[count - 1];
            if (from + quantity.length() > text.length) {
                text = Arrays.copyOf(text, Math.max(from + quantity.length(), text.length * 2));
            }
            for (int i = 0; i < quantity.length(); i++) {
                text[from + i] = (byte) quantity.charAt(i);
            }
            end[count++] = from + quantity.length();
            return quantity.length();
        }

        /** Copies quantity {@code i} into {@code to} at {@code at}; returns where it ends. */
        int put(int i, byte[] to, int at) {
            int from = i == 0 ? 0 : end[i - 1];
            System.arraycopy(text, from, to, at, end[i] - from);
            return at + end[i] - from;
        }
    }
}
