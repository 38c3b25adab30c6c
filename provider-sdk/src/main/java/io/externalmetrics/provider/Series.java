package io.externalmetrics.provider;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One labelled number of a {@link Value}: what an HPA with a {@code metric.selector} reads.
 *
 * <p>Validated when constructed: every label key and value must follow Kubernetes' label syntax,
 * and the number must be finite. The labels are copied and kept sorted by key.
 *
 * @param labels the series' labels, e.g. {@code {"queue": "orders"}}; may be empty
 * @param value the number; finite
 */
public record Series(Map<String, String> labels, double value) {

    /**
     * Checks and copies the arguments.
     *
     * @throws NullPointerException if {@code labels}, or a key or value in it, is null
     * @throws IllegalArgumentException if a label key or value is not valid Kubernetes label syntax,
     *     or {@code value} is NaN or infinite
     */
    public Series {
        Objects.requireNonNull(labels, "labels must not be null");
        var copy = new TreeMap<String, String>();
        for (var label : labels.entrySet()) {
            String key = Labels.checkKey("labels", label.getKey());
            copy.put(key, Labels.checkValue("labels[" + key + "]", label.getValue()));
        }
        labels = Collections.unmodifiableSortedMap(copy);
        Value.checkFinite("value", value);
    }

    @Override
    public String toString() {
        return labels + "=" + value;
    }
}
