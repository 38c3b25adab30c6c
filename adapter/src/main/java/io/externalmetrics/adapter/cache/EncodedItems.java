package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

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

    static Builder builder(int expectedItems) {
        return new Builder(expectedItems);
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

    /** Appends items into one growing list; the array is sized from the first item to copy little. */
    static final class Builder {
        private final int[] at;
        private int count;
        private byte[] buffer;
        private int length;

        private Builder(int expectedItems) {
            at = new int[expectedItems + 1];
            buffer = Arrays.copyOf(EMPTY_LIST, ITEMS_AT);
            length = ITEMS_AT;
        }

        Builder add(byte[] item) {
            if (count == at.length - 1) {
                throw new IllegalStateException("more than the " + count + " items expected");
            }
            if (length + item.length + 1 > buffer.length) {
                // room for the rest if they are about this size, as a metric's items mostly are
                long wanted = (long) length + (long) (item.length + 16) * (at.length - count);
                buffer = Arrays.copyOf(buffer, (int) Math.min(Integer.MAX_VALUE - 8,
                        Math.max(wanted, (long) length * 3 / 2 + item.length + 1)));
            }
            at[count++] = length;
            System.arraycopy(item, 0, buffer, length, item.length);
            length += item.length;
            buffer[length++] = ',';
            return this;
        }

        EncodedItems build() {
            if (count != at.length - 1) {
                throw new IllegalStateException(count + " items added, " + (at.length - 1) + " expected");
            }
            if (count == 0) {
                return new EncodedItems(EMPTY_LIST, at);
            }
            at[count] = length;
            int suffix = EMPTY_LIST.length - ITEMS_AT;
            byte[] list = Arrays.copyOf(buffer, length - 1 + suffix);
            System.arraycopy(EMPTY_LIST, ITEMS_AT, list, length - 1, suffix);
            return new EncodedItems(list, at);
        }
    }
}
