package io.externalmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import io.externalmetrics.adapter.k8s.Quantity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * A sample's items, written straight into one array of exactly their size, are byte for byte what
 * {@link ExternalMetricJson#item} writes for each series, and its list what {@link ExternalMetricJson#list} makes
 * of them: also for strings JSON must escape (which a provider's labels cannot hold, but a metric name and
 * the labels of {@link Sample#of} given by code can).
 */
class EncodedItemsTest {

    private static final Instant T0 = Instant.parse("2026-11-30T18:00:00.750Z");

    @Test
    void items_areWhatTheJsonWriterWrites_forPlainAndEscapedStrings_withAndWithoutWindow() {
        List<Map<String, String>> labels = List.of(
                Map.of(),
                Map.of("zone", "a", "Zone", "B", "app", ""),
                Map.of("quote\"d", "back\\slash", "tab", "\t\n\u0001", "é", "日本", "del", "\u007f"),
                Map.of("example.com/tier", "x".repeat(63)));
        double[] values = {0, -1.5, 1e21, 0.000_000_001};
        for (Optional<Duration> window : List.of(Optional.<Duration>empty(), Optional.of(Duration.ofSeconds(90)))) {
            for (String name : List.of("queue-depth", "na\"me\\ü")) {
                List<Sample.SeriesValue> series = new ArrayList<>();
                List<byte[]> expected = new ArrayList<>();
                for (int i = 0; i < labels.size(); i++) {
                    series.add(new Sample.SeriesValue(labels.get(i), values[i]));
                    expected.add(ExternalMetricJson.item(name, labels.get(i), T0, window, Quantity.format(values[i])));
                }

                Sample sample = Sample.of(name, OptionalDouble.empty(), series, T0, false, window);

                assertThat(sample.series()).extracting(p -> text(p.item()))
                        .containsExactlyElementsOf(expected.stream().map(EncodedItemsTest::text).toList());
                assertThat(text(sample.unselected())).isEqualTo(text(ExternalMetricJson.list(expected)));
                assertThat(text(sample.selected(io.externalmetrics.adapter.k8s.LabelSelector.parse("zone"))))
                        .isEqualTo(text(ExternalMetricJson.list(List.of(expected.get(1)))));
            }
        }
    }

    @Test
    void noSeries_isTheEmptyList() {
        Sample sample = Sample.of("m", OptionalDouble.empty(), List.of(), T0, false, Optional.empty());

        assertThat(text(sample.unselected())).isEqualTo(text(ExternalMetricJson.list(List.of())));
    }

    @Test
    void manySeries_ofLabelsInAnyKeyOrder_areEachTheirOwnItem() {
        List<Sample.SeriesValue> series = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            var map = new LinkedHashMap<String, String>();
            if (i % 3 != 0) {
                map.put("shard", String.valueOf(i));
            }
            map.put(i % 2 == 0 ? "b" : "a", "v" + i % 7);
            map.put("A", String.valueOf(i / 10));
            series.add(new Sample.SeriesValue(map, i / 4.0));
            expected.add(ExternalMetricJson.item("m", map, T0, Optional.empty(), Quantity.format(i / 4.0)));
        }

        Sample sample = Sample.of("m", OptionalDouble.empty(), series, T0, false, Optional.empty());

        assertThat(text(sample.unselected())).isEqualTo(text(ExternalMetricJson.list(expected)));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
