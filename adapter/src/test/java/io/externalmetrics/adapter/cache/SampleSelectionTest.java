package io.externalmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.k8s.Quantity;
import io.externalmetrics.adapter.k8s.SelectorParseException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A sample's selected series, whether found through its label index or by checking every series, are
 * exactly what checking every series' labels with {@link LabelSelector#matches} gives, byte for byte and
 * in series order.
 */
class SampleSelectionTest {

    private static final Instant T0 = Instant.parse("2026-11-30T18:00:00.250Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> KEYS = List.of("app", "zone", "example.com/tier", "k-8.s_x", "Z");
    private static final List<String> VALUES = List.of("", "a", "A", "b", "0", "7", "10", "a-3", "a.b_c-d", "007",
            "x".repeat(63), "Z9");
    /** Keys and values no series has, so requirements on them narrow to nothing or to everything. */
    private static final List<String> ABSENT = List.of("absent", "q");

    /** What the adapter answered before it had an index: every series' labels checked, its own item kept. */
    private static byte[] scanned(List<Sample.SeriesValue> series, List<byte[]> items, LabelSelector selector) {
        List<byte[]> selected = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            if (selector.matches(series.get(i).labels())) {
                selected.add(items.get(i));
            }
        }
        return ExternalMetricJson.list(selected);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Series with random subsets of the keys (so some keys are on some series only), without repeats. */
    private static List<Sample.SeriesValue> randomSeries(Random random, int count) {
        List<Sample.SeriesValue> series = new ArrayList<>();
        var seen = new java.util.HashSet<Map<String, String>>();
        while (series.size() < count) {
            var labels = new LinkedHashMap<String, String>();
            for (String key : KEYS) {
                if (random.nextInt(4) != 0) {
                    labels.put(fresh(key), fresh(VALUES.get(random.nextInt(VALUES.size()))));
                }
            }
            labels.put("id", Integer.toString(series.size()));
            if (seen.add(labels)) {
                series.add(new Sample.SeriesValue(labels, random.nextInt(2001) - 1000 + random.nextInt(4) / 4.0));
            }
        }
        return series;
    }

    private static String randomSelector(Random random) {
        List<String> keys = new ArrayList<>(KEYS);
        keys.addAll(ABSENT);
        List<String> values = new ArrayList<>(VALUES);
        values.addAll(ABSENT);
        List<String> requirements = new ArrayList<>();
        int count = random.nextInt(5);
        for (int i = 0; i < count; i++) {
            String key = keys.get(random.nextInt(keys.size()));
            String value = values.get(random.nextInt(values.size()));
            String other = values.get(random.nextInt(values.size()));
            requirements.add(switch (random.nextInt(9)) {
                case 0 -> key + "=" + value;
                case 1 -> key + "==" + value;
                case 2 -> key + "!=" + value;
                case 3 -> key + " in (" + value + "," + other + ")";
                case 4 -> key + " notin (" + value + "," + other + ")";
                case 5 -> key;
                case 6 -> "!" + key;
                case 7 -> key + (random.nextBoolean() ? ">" : "<") + (random.nextInt(21) - 10);
                default -> key + " in (" + value + ")";
            });
            if (random.nextInt(6) == 0) {
                requirements.add(requirements.getLast()); // the same requirement twice
            }
        }
        return String.join(",", requirements);
    }

    /** A copy with its own bytes, as a parsed reply has; {@code new String(String)} would share them. */
    private static String fresh(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    @Test
    void selected_randomSamplesAndSelectors_equalsCheckingEverySeries() {
        var random = new Random(20261130);
        int compared = 0;
        int foundThroughIndex = 0;
        for (int size : new int[] {0, 1, 2, 7, SeriesIndex.MIN_SERIES - 1, SeriesIndex.MIN_SERIES, 33, 100, 400}) {
            for (int round = 0; round < 4; round++) {
                List<Sample.SeriesValue> series = randomSeries(random, size);
                Optional<Duration> window = round % 2 == 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(30));
                List<byte[]> items = series.stream().map(s -> ExternalMetricJson.item("m", s.labels(), T0, window,
                        Quantity.format(s.value()))).toList();
                Sample sample = Sample.of("m", OptionalDouble.empty(), series, T0, false, window);
                assertThat(text(sample.unselected())).isEqualTo(text(ExternalMetricJson.list(items)));
                for (int s = 0; s < 150; s++) {
                    LabelSelector selector;
                    String raw = randomSelector(random);
                    try {
                        selector = LabelSelector.parse(raw);
                    } catch (SelectorParseException e) {
                        continue; // a value Kubernetes' grammar rejects, e.g. "x" compared with ">"
                    }
                    byte[] expected = scanned(series, items, selector);
                    assertThat(text(sample.selected(selector)))
                            .as("%d series, selector \"%s\"", size, raw)
                            .isEqualTo(text(expected));
                    compared++;
                    boolean narrowed = size >= SeriesIndex.MIN_SERIES && !selector.requiredLabels().isEmpty();
                    foundThroughIndex += narrowed && expected.length > ExternalMetricJson.list(List.of()).length
                            ? 1 : 0;
                }
            }
        }
        assertThat(compared).as("selectors compared").isGreaterThan(4_000);
        assertThat(foundThroughIndex).as("selectors that found series through the index").isGreaterThan(300);
    }

    @Test
    void selected_valuesListedOutOfSeriesOrder_answersInSeriesOrderWithoutDroppingAny() throws Exception {
        // groups numbered downwards, so the index's runs for "1" and "3" come in the opposite order to the series
        int size = 200;
        List<Sample.SeriesValue> series = IntStream.range(0, size)
                .mapToObj(i -> new Sample.SeriesValue(Map.of("shard", Integer.toString(i),
                        "group", Integer.toString((size - 1 - i) / 10), "parity", i % 2 == 0 ? "even" : "odd"), i))
                .toList();
        Sample sample = Sample.of("m", OptionalDouble.of(1), series, T0, false, Optional.empty());

        JsonNode items = JSON.readTree(sample.selected(LabelSelector.parse("group in (3,1),parity=even")))
                .get("items");

        List<String> shards = new ArrayList<>();
        items.forEach(item -> shards.add(item.get("metricLabels").get("shard").asText()));
        assertThat(shards).containsExactly("160", "162", "164", "166", "168", "180", "182", "184", "186", "188");
    }

    @Test
    void series_manySeries_shareOneStringPerDistinctKeyAndValue() {
        List<Sample.SeriesValue> series = IntStream.range(0, 100)
                .mapToObj(i -> new Sample.SeriesValue(Map.of(fresh("zone"), fresh("z" + i % 2), "id", "" + i), i))
                .toList();

        List<Sample.Point> points = Sample.of("m", OptionalDouble.empty(), series, T0, false, Optional.empty())
                .series();

        assertThat(points).hasSize(100);
        String key = key(points.get(0), "zone");
        assertThat(points).allSatisfy(p -> assertThat(key(p, "zone")).isSameAs(key));
        assertThat(points.get(2).labels().get("zone")).isSameAs(points.get(0).labels().get("zone"));
        assertThat(points.get(3).labels().get("zone")).isSameAs(points.get(1).labels().get("zone"));
        assertThat(points.get(42).labels()).isEqualTo(Map.of("zone", "z0", "id", "42"));
        assertThat(points.get(42).quantity()).isEqualTo("42");
        assertThat(text(points.get(42).item())).isEqualTo(text(ExternalMetricJson.item("m",
                Map.of("zone", "z0", "id", "42"), T0, Optional.empty(), "42")));
    }

    private static String key(Sample.Point point, String key) {
        return point.labels().keySet().stream().filter(key::equals).findFirst().orElseThrow();
    }
}
