package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.k8s.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One fetched value of a metric, with its JSON encoded up front: the base value's item, each
 * series' item, and the whole answer to a read without selector.
 *
 * <p>Compact for metrics of many series: the items are kept back to back in one array
 * ({@link EncodedItems}), the labels as ids into one dictionary of the sample's distinct keys and values
 * ({@link SeriesLabels}), and from {@value SeriesIndex#MIN_SERIES} series on a {@link SeriesIndex} finds
 * the series a selector can match without checking every one. {@link #series} makes each
 * {@link Point} when asked.
 */
public final class Sample {

    private final Optional<Point> base;
    private final OptionalDouble baseValue;
    private final OptionalDouble summary;
    private final SeriesLabels labels;
    private final EncodedItems items;
    /** Null below {@link SeriesIndex#MIN_SERIES} series: a read checks them all. */
    private final SeriesIndex index;
    private final Instant observedAt;
    private final boolean observedByProvider;
    private final Optional<Duration> window;
    private final byte[] unselectedBody;

    private Sample(Optional<Point> base, OptionalDouble baseValue, OptionalDouble summary, SeriesLabels labels,
                   EncodedItems items, Instant observedAt, boolean observedByProvider, Optional<Duration> window) {
        this.base = base;
        this.baseValue = baseValue;
        this.summary = summary;
        this.labels = labels;
        this.items = items;
        this.index = labels.size() < SeriesIndex.MIN_SERIES ? null : SeriesIndex.of(labels);
        this.observedAt = observedAt;
        this.observedByProvider = observedByProvider;
        this.window = window;
        this.unselectedBody = base.isPresent() ? ExternalMetricJson.list(List.of(base.get().item())) : items.all();
    }

    /**
     * Builds a sample, formatting every number as a Kubernetes quantity.
     *
     * @param metricName the name written into each item
     * @param base       the base value, served to reads without selector
     * @param series     labelled values, served to reads with a selector (and without, when no base)
     * @param observedAt the items' timestamp: when the provider observed the value, or when the adapter
     *                   received it if the provider did not say (or said a time too far in the future)
     * @param observedByProvider whether {@code observedAt} is the provider's own observation time, which
     *                   then counts towards the value's age besides the time of its fetch
     * @param window     the window the value was computed over
     * @throws IllegalArgumentException for NaN or infinite numbers
     */
    public static Sample of(String metricName, OptionalDouble base, List<SeriesValue> series, Instant observedAt,
                            boolean observedByProvider, Optional<Duration> window) {
        int labels = 0;
        for (SeriesValue s : series) {
            labels += s.labels().size();
        }
        SeriesTable.Builder table = SeriesTable.builder(series.size(), labels);
        for (SeriesValue s : series) {
            table.add(s.labels(), s.value());
        }
        return of(metricName, base, table.build(), observedAt, observedByProvider, window);
    }

    /**
     * Builds a sample of series read straight into a {@link SeriesTable}, formatting every number as a
     * Kubernetes quantity; the same as {@link #of(String, OptionalDouble, List, Instant, boolean, Optional)}
     * for the same series.
     *
     * @throws IllegalArgumentException for NaN or infinite numbers
     */
    public static Sample of(String metricName, OptionalDouble base, SeriesTable series, Instant observedAt,
                            boolean observedByProvider, Optional<Duration> window) {
        Objects.requireNonNull(observedAt, "observedAt");
        Objects.requireNonNull(window, "window");
        Optional<Point> basePoint = base.isPresent()
                ? Optional.of(Point.of(metricName, Map.of(), base.getAsDouble(), observedAt, window))
                : Optional.empty();
        EncodedItems items = EncodedItems.encode(metricName, series.labels, series.values, observedAt, window);
        double sum = 0;
        for (double value : series.values) {
            sum += value;
        }
        OptionalDouble summary = base.isPresent() ? base
                : series.size() == 0 || !Double.isFinite(sum) ? OptionalDouble.empty() : OptionalDouble.of(sum);
        return new Sample(basePoint, base, summary, series.labels, items, observedAt, observedByProvider, window);
    }

    /** The base value as a quantity, if the provider gave one. */
    public Optional<String> base() {
        return base.map(Point::quantity);
    }

    /** The base value as the provider gave it, if it did. */
    public OptionalDouble baseValue() {
        return baseValue;
    }

    /**
     * One number for the whole value, as the status page plots it: the base value, else the sum of the
     * series; empty when there is neither.
     */
    public OptionalDouble summary() {
        return summary;
    }

    /** The series' labels and quantities, in the provider's order; each {@link Point} is made when read. */
    public List<Point> series() {
        return new AbstractList<>() {
            @Override
            public Point get(int i) {
                Objects.checkIndex(i, items.size());
                return new Point(labels.labels(i), items.quantity(i), items.item(i));
            }

            @Override
            public int size() {
                return items.size();
            }
        };
    }

    /**
     * The series' labels and quantities, in the provider's order, without their encoded items: what the
     * status pages list, so they copy no item. Each {@link Labelled} is made when read.
     */
    public List<Labelled> labelled() {
        return new AbstractList<>() {
            @Override
            public Labelled get(int i) {
                Objects.checkIndex(i, items.size());
                return new Labelled(labels.labels(i), items.quantity(i));
            }

            @Override
            public int size() {
                return items.size();
            }
        };
    }

    /** The items' timestamp: when the provider observed this value, else when the adapter received it. */
    public Instant observedAt() {
        return observedAt;
    }

    /** Whether {@link #observedAt} is the provider's observation time (not the time of receipt). */
    public boolean observedByProvider() {
        return observedByProvider;
    }

    /** The window the value was computed over, if any. */
    public Optional<Duration> window() {
        return window;
    }

    /** The {@code ExternalMetricValueList} for a read without selector (base value, else every series). */
    byte[] unselected() {
        return unselectedBody;
    }

    /**
     * The {@code ExternalMetricValueList} of every series the selector matches (maybe none), in series
     * order: the candidates the index finds, else every series, each checked by the selector.
     */
    byte[] selected(LabelSelector selector) {
        int[] candidates = index == null ? null : index.candidates(selector.requiredLabels()).orElse(null);
        int count = candidates == null ? labels.size() : candidates.length;
        int[] matching = new int[Math.min(count, 16)]; // grown as found: a scan mostly finds few
        int found = 0;
        SeriesLabels.Cursor cursor = labels.cursor();
        for (int i = 0; i < count; i++) {
            int series = candidates == null ? i : candidates[i];
            if (selector.matches(cursor.at(series))) {
                if (found == matching.length) {
                    matching = Arrays.copyOf(matching, Math.min(count, found * 2));
                }
                matching[found++] = series;
            }
        }
        return items.list(matching, found);
    }

    /**
     * A labelled value and its encoded item.
     *
     * @param labels   the labels ({@code {}} for the base value)
     * @param quantity the canonical quantity
     * @param item     the encoded {@code ExternalMetricValue}
     */
    public record Point(Map<String, String> labels, String quantity, byte[] item) {

        static Point of(String metricName, Map<String, String> labels, double value, Instant observedAt,
                        Optional<Duration> window) {
            String quantity = Quantity.format(value);
            return new Point(Map.copyOf(labels), quantity,
                    ExternalMetricJson.item(metricName, labels, observedAt, window, quantity));
        }
    }

    /**
     * A series' labels and quantity, without its encoded item.
     *
     * @param labels   the labels
     * @param quantity the canonical quantity
     */
    public record Labelled(Map<String, String> labels, String quantity) {
    }

    /**
     * A provider's labelled number, before formatting.
     *
     * @param labels the labels
     * @param value  the number
     */
    public record SeriesValue(Map<String, String> labels, double value) {
        public SeriesValue {
            labels = Map.copyOf(labels);
        }
    }
}
