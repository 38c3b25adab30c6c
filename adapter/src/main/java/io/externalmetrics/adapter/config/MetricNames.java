package io.externalmetrics.adapter.config;

import java.util.Optional;

/** The rule for metric names: what fits in one URL path segment of the external metrics API. */
public final class MetricNames {

    /** Longest accepted metric name. */
    public static final int MAX_LENGTH = 253;

    private MetricNames() {
    }

    /** Returns what is wrong with a metric name, or nothing when it is acceptable. */
    public static Optional<String> problem(String name) {
        if (name.isEmpty()) {
            return Optional.of("a metric name must not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            return Optional.of("a metric name must be at most " + MAX_LENGTH + " characters");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("\"" + name + "\" cannot be a metric name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '%' || c <= ' ' || c == 0x7f) {
                return Optional.of("metric name \"" + name + "\" contains '"
                        + (c < ' ' ? "\\u%04x".formatted((int) c) : String.valueOf(c))
                        + "', which cannot appear in a URL path segment");
            }
        }
        return Optional.empty();
    }
}
