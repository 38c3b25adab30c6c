package io.externalmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A provider chooses the label strings: many with one {@link String#hashCode} must not make a fetch
 * quadratic. Counted in slots visited, not timed.
 */
class LabelDictionaryTest {

    /** 2^bits strings of one hash code: each a sequence of "Aa" or "BB", which hash alike. */
    static List<String> collidingStrings(int bits) {
        List<String> strings = new ArrayList<>();
        for (int n = 0; n < 1 << bits; n++) {
            var s = new StringBuilder();
            for (int bit = 0; bit < bits; bit++) {
                s.append((n >> bit & 1) == 0 ? "Aa" : "BB");
            }
            strings.add(s.toString());
        }
        return strings;
    }

    @Test
    void valuesOfOneHashCode_areAddedAndFound_inLinearlyManyProbes() {
        List<String> strings = collidingStrings(13);
        assertThat(strings.stream().mapToInt(String::hashCode).distinct().count()).isOne();
        var dictionary = new LabelDictionary();
        int key = dictionary.addKey("shard");

        for (String s : strings) {
            dictionary.addValue(key, s);
        }
        for (int id = 0; id < strings.size(); id++) {
            assertThat(dictionary.addValue(key, strings.get(id))).isEqualTo(id);
            assertThat(dictionary.valueId(key, strings.get(id))).isEqualTo(id);
        }

        assertThat(dictionary.valueCount(key)).isEqualTo(strings.size());
        assertThat(dictionary.valueId(key, "AaAa")).isEqualTo(-1);
        // linear probing without a way out: 8192^2 / 2 = 33 million slots
        assertThat(dictionary.probes()).isLessThan(20L * strings.size());
    }

    @Test
    void keysOfOneHashCode_areAddedAndFound_inLinearlyManyProbes() {
        List<String> strings = collidingStrings(12);
        var dictionary = new LabelDictionary();

        for (String s : strings) {
            dictionary.addKey(s);
        }

        for (int id = 0; id < strings.size(); id++) {
            assertThat(dictionary.keyId(strings.get(id))).isEqualTo(id);
            assertThat(dictionary.key(id)).isEqualTo(strings.get(id));
        }
        assertThat(dictionary.probes()).isLessThan(20L * strings.size());
    }

    @Test
    void spreadStrings_stayInTheCompactTable() {
        var dictionary = new LabelDictionary();
        int key = dictionary.addKey("shard");

        for (int i = 0; i < 200_000; i++) {
            dictionary.addValue(key, String.valueOf(i));
        }

        assertThat(dictionary.valueId(key, "123456")).isEqualTo(123_456);
        assertThat(dictionary.probes()).isLessThan(3L * 200_000);
    }
}
