package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.k8s.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One fetched value of a metric, with its JSON encoded up front: the base value's item, each
 * series' item, and the whole answer to a read without selector.
 */
public final class Sample {

    private final Optional<Point> base;
    private final OptionalDouble baseValue;
    private final OptionalDouble summary;
    private final List<Point> series;
    private final Instant observedAt;
    private final boolean observedByProvider;
    private final Optional<Duration> window;
    private final byte[] unselectedBody;

    private Sample(Optional<Point> base, OptionalDouble baseValue, OptionalDouble summary, List<Point> series,
                   Instant observedAt, boolean observedByProvider, Optional<Duration> window) {
        this.base = base;
        this.baseValue = baseValue;
        this.summary = summary;
        this.series = series;
        this.observedAt = observedAt;
        this.observedByProvider = observedByProvider;
        this.window = window;
        List<byte[]> items = base.isPresent()
                ? List.of(base.get().item())
                : series.stream().map(Point::item).toList();
        this.unselectedBody = ExternalMetricJson.list(items);
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
        Objects.requireNonNull(observedAt, "observedAt");
        Objects.requireNonNull(window, "window");
        Optional<Point> basePoint = base.isPresent()
                ? Optional.of(Point.of(metricName, Map.of(), base.getAsDouble(), observedAt, window))
                : Optional.empty();
        List<Point> points = new ArrayList<>(series.size());
        double sum = 0;
        for (SeriesValue s : series) {
            points.add(Point.of(metricName, s.labels(), s.value(), observedAt, window));
            sum += s.value();
        }
        OptionalDouble summary = base.isPresent() ? base
                : series.isEmpty() || !Double.isFinite(sum) ? OptionalDouble.empty() : OptionalDouble.of(sum);
        return new Sample(basePoint, base, summary, List.copyOf(points), observedAt, observedByProvider, window);
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

    /** The series' labels and quantities. */
    public List<Point> series() {
        return series;
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

    /** The {@code ExternalMetricValueList} of every series the selector matches (maybe none). */
    byte[] selected(LabelSelector selector) {
        List<byte[]> items = new ArrayList<>();
        for (Point point : series) {
            if (selector.matches(point.labels())) {
                items.add(point.item());
            }
        }
        return ExternalMetricJson.list(items);
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
