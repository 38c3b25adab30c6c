package io.externalmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class SeriesTableTest {

    @Test
    void add_refusesASeriesWithTheLabelsOfAnEarlierOne_inWhateverOrderGiven() {
        SeriesTable.Builder table = SeriesTable.builder(3, 6);
        int a = table.key("a");
        int b = table.key("b");
        int one = table.value(a, "1");
        int two = table.value(b, "2");
        int other = table.value(b, "3");

        assertThat(table.add(new int[] {a, b}, new int[] {one, two}, 2, 1)).isTrue();
        assertThat(table.add(new int[] {b, a}, new int[] {two, one}, 2, 5)).as("the same labels").isFalse();
        assertThat(table.add(new int[] {a, b}, new int[] {one, other}, 2, 2)).isTrue();
        assertThat(table.add(new int[] {a}, new int[] {one}, 1, 3)).as("a subset is other labels").isTrue();

        Sample sample = Sample.of("m", OptionalDouble.empty(), table.build(), Instant.EPOCH, false, Optional.empty());
        assertThat(sample.series()).extracting(Sample.Point::labels).containsExactly(
                Map.of("a", "1", "b", "2"), Map.of("a", "1", "b", "3"), Map.of("a", "1"));
        assertThat(sample.labelled()).as("what the status pages list").containsExactly(
                new Sample.Labelled(Map.of("a", "1", "b", "2"), "1"),
                new Sample.Labelled(Map.of("a", "1", "b", "3"), "2"),
                new Sample.Labelled(Map.of("a", "1"), "3"));
    }

    /**
     * Series whose ids hash alike (the hash is a polynomial of the ids: value id +1 of one key and -961 of the
     * next gives the same hash), as a provider choosing the order of its strings could make them: the check
     * for repeats stays linear in slots visited.
     */
    @Test
    void add_seriesWhoseLabelsHashAlike_visitsLinearlyManySlots() {
        int series = 400;
        SeriesTable.Builder table = SeriesTable.builder(series + 1, (series + 1) * 2);
        int a = table.key("a");
        int b = table.key("b");
        for (int i = 0; i < series; i++) {
            table.value(a, "a" + i);
        }
        for (int i = 0; i <= 961 * series; i++) {
            table.value(b, "b" + i);
        }

        for (int i = 0; i < series; i++) {
            assertThat(table.add(new int[] {a, b}, new int[] {i, 961 * (series - i)}, 2, i)).isTrue();
        }
        assertThat(table.add(new int[] {a, b}, new int[] {7, 961 * (series - 7)}, 2, 0)).as("a repeat").isFalse();

        // linear probing without a way out: 400^2 / 2 = 80,000 slots
        assertThat(table.probes()).isLessThan(10_000);
    }
}
