package io.externalmetrics.provider;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The value of a metric at one moment, as a {@link MetricFunction} returns it: an optional base
 * number plus any number of {@link Series} (a label set and a number each).
 *
 * <p>What an HPA reads: without a label selector, the base number if there is one, else every
 * series; with a selector, every series whose labels match it (never the base number).
 *
 * <pre>{@code
 * Value.of(total)
 *         .withSelector("queue", "orders", orders)
 *         .withSelector("queue", "invoices", invoices);
 * }</pre>
 *
 * <p>Immutable: every {@code with...} method returns a new value. Each argument is checked at
 * once and a bad one fails with a message naming it: numbers must be finite (no NaN, no
 * infinities), label keys and values must follow Kubernetes' label syntax, and two series must not
 * have the same labels (adding a duplicate label set is an error, not a replacement, so a bug that
 * computes one series twice does not silently lose a number).
 *
 * <p>Each {@code with...} call copies the series added so far; to build thousands of series, pass
 * them in one {@link #withSeries(Collection)} call.
 */
public final class Value {

    private static final Value EMPTY = new Value(false, 0, List.of(), null, null);

    private final boolean hasValue;
    private final double value;
    private final List<Series> series;
    private final Instant observedAt; // null: the server stamps the time the metric function returned
    private final Duration window; // null: none

    private Value(boolean hasValue, double value, List<Series> series, Instant observedAt,
            Duration window) {
        this.hasValue = hasValue;
        this.value = value;
        this.series = series;
        this.observedAt = observedAt;
        this.window = window;
    }

    /**
     * A value with a base number and no series yet.
     *
     * @param number the base number, served when an HPA gives no label selector; finite
     * @return the value
     * @throws IllegalArgumentException if {@code number} is NaN or infinite
     */
    public static Value of(double number) {
        return new Value(true, checkFinite("number", number), List.of(), null, null);
    }

    /**
     * A value without a base number and without series: add series with {@link #withSelector} or
     * {@link #withSeries}. An HPA without a label selector then reads every series.
     *
     * @return the empty value
     */
    public static Value empty() {
        return EMPTY;
    }

    /**
     * Adds a series with one label, the seed's {@code AddSelector("some-key", "A", n)}: an HPA
     * selecting {@code key=value} reads {@code number}.
     *
     * @param key the label key, e.g. {@code "some-key"}; Kubernetes label key syntax
     * @param value the label value, e.g. {@code "A"}; Kubernetes label value syntax, may be empty
     * @param number the series' number; finite
     * @return a new value with the series added
     * @throws IllegalArgumentException if an argument is invalid, or a series with exactly this one
     *     label already exists
     */
    public Value withSelector(String key, String value, double number) {
        Labels.checkKey("key", key);
        Labels.checkValue("value", value);
        checkFinite("number", number);
        return withSeries(List.of(new Series(Map.of(key, value), number)));
    }

    /**
     * Adds a series with a full label set.
     *
     * @param labels the series' labels; Kubernetes label syntax; may be empty
     * @param number the series' number; finite
     * @return a new value with the series added
     * @throws IllegalArgumentException if an argument is invalid, or a series with the same labels
     *     already exists
     */
    public Value withSeries(Map<String, String> labels, double number) {
        checkFinite("number", number);
        return withSeries(List.of(new Series(labels, number)));
    }

    /**
     * Adds many series at once, copying the series added so far only once.
     *
     * @param series the series to add, in order
     * @return a new value with the series added
     * @throws IllegalArgumentException if two series, new or existing, have the same labels
     */
    public Value withSeries(Collection<Series> series) {
        Objects.requireNonNull(series, "series must not be null");
        var seen = new HashSet<Map<String, String>>();
        for (Series s : this.series) {
            seen.add(s.labels());
        }
        var all = new ArrayList<Series>(this.series.size() + series.size());
        all.addAll(this.series);
        for (Series s : series) {
            Objects.requireNonNull(s, "series must not contain null");
            if (!seen.add(s.labels())) {
                throw new IllegalArgumentException("series: labels " + s.labels()
                        + " are already present; two series must not have the same labels");
            }
            all.add(s);
        }
        return new Value(hasValue, value, Collections.unmodifiableList(all), observedAt, window);
    }

    /**
     * Sets when the value was observed. Without it, {@link MetricProviderServer} stamps the time
     * the metric function returned (on its {@linkplain MetricProviderServer.Builder#clock clock}),
     * which is when a value computed by the function was observed; give the real observation time
     * for data that arrives late (a value relayed from a source that measured it earlier).
     *
     * @param observedAt when the value was observed
     * @return a new value with the observation time set
     */
    public Value observedAt(Instant observedAt) {
        Objects.requireNonNull(observedAt, "observedAt must not be null");
        return new Value(hasValue, value, series, observedAt, window);
    }

    /**
     * Sets the window the value was computed over, e.g. 60 seconds for a rate over a minute. The
     * adapter reports it to the HPA in whole seconds.
     *
     * @param window the window; positive
     * @return a new value with the window set
     * @throws IllegalArgumentException if {@code window} is zero or negative
     */
    public Value window(Duration window) {
        Objects.requireNonNull(window, "window must not be null");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        return new Value(hasValue, value, series, observedAt, window);
    }

    /**
     * The base number.
     *
     * @return the base number, or empty if there is none
     */
    public OptionalDouble value() {
        return hasValue ? OptionalDouble.of(value) : OptionalDouble.empty();
    }

    /**
     * The series, in the order they were added.
     *
     * @return an unmodifiable list
     */
    public List<Series> series() {
        return series;
    }

    /**
     * When the value was observed.
     *
     * @return the observation time, or empty if none was set (the server then stamps the time the
     *     metric function returned)
     */
    public Optional<Instant> observedAt() {
        return Optional.ofNullable(observedAt);
    }

    /**
     * The window the value was computed over.
     *
     * @return the window, or empty for none
     */
    public Optional<Duration> window() {
        return Optional.ofNullable(window);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Value other
                && hasValue == other.hasValue
                && Double.compare(value, other.value) == 0
                && series.equals(other.series)
                && Objects.equals(observedAt, other.observedAt)
                && Objects.equals(window, other.window);
    }

    @Override
    public int hashCode() {
        return Objects.hash(hasValue, value, series, observedAt, window);
    }

    @Override
    public String toString() {
        var s = new StringBuilder("Value[");
        s.append("value=").append(hasValue ? Double.toString(value) : "none");
        s.append(", series=").append(series);
        if (observedAt != null) {
            s.append(", observedAt=").append(observedAt);
        }
        if (window != null) {
            s.append(", window=").append(window);
        }
        return s.append(']').toString();
    }

    static double checkFinite(String argument, double number) {
        if (!Double.isFinite(number)) {
            throw new IllegalArgumentException(argument + " must be a finite number, got " + number);
        }
        return number;
    }
}
