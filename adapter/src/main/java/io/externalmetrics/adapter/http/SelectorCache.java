package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.k8s.SelectorParseException;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Parsed label selectors by the text a request gave, so that the HPA, which reads the same metric
 * with the same selector every 15 s, has it parsed once. A parse error is kept too, and thrown again
 * with the same message.
 *
 * <p>Bounded whatever the requests: a fixed table of {@value #SLOTS} slots, each holding one text and
 * its result, chosen by the text's hash; a new text takes its slot from the one there before. Texts
 * longer than {@value #MAX_CACHED_LENGTH} characters are parsed every time and never kept, so the
 * table holds at most {@value #SLOTS} short texts and their parses. Lock-free: a slot is read and
 * replaced whole.
 */
final class SelectorCache {

    /** Slots in the table; a power of two. */
    static final int SLOTS = 4096;
    /** Longest text kept; real selectors are far shorter. */
    static final int MAX_CACHED_LENGTH = 256;

    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);

    /**
     * {@link LabelSelector#parse}, from the table when the same text was parsed before.
     *
     * @throws SelectorParseException as {@link LabelSelector#parse} does, with its message
     */
    LabelSelector parse(String text) {
        if (text.length() > MAX_CACHED_LENGTH) {
            return LabelSelector.parse(text);
        }
        int slot = slot(text);
        Entry entry = slots.get(slot);
        if (entry == null || !entry.text().equals(text)) {
            entry = Entry.of(text);
            slots.set(slot, entry);
        }
        return switch (entry) {
            case Parsed parsed -> parsed.selector();
            case Rejected rejected -> throw new SelectorParseException(rejected.message());
        };
    }

    /** How many texts the table holds now; for tests. */
    int size() {
        int size = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (slots.get(i) != null) {
                size++;
            }
        }
        return size;
    }

    private static int slot(String text) {
        int h = text.hashCode();
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }

    /** A text and what parsing it gave. */
    private sealed interface Entry {

        String text();

        static Entry of(String text) {
            try {
                return new Parsed(text, LabelSelector.parse(text));
            } catch (SelectorParseException e) {
                return new Rejected(text, e.getMessage());
            }
        }
    }

    private record Parsed(String text, LabelSelector selector) implements Entry {
    }

    /** @param message the parse error's message, which the 400 answer quotes */
    private record Rejected(String text, String message) implements Entry {
    }
}
