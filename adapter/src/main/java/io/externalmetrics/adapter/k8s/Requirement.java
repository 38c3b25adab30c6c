package io.externalmetrics.adapter.k8s;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One term of a label selector, as Go's {@code labels.Requirement}: a key, an operator, and the values
 * (for {@code in}/{@code notin} sorted and without duplicates, as Go's string set keeps them).
 */
record Requirement(String key, Operator operator, List<String> values) {

    /** The operators of the selector grammar, with how Go's {@code String()} writes each. */
    enum Operator {
        EQUALS("="), DOUBLE_EQUALS("=="), NOT_EQUALS("!="), IN(" in "), NOT_IN(" notin "),
        GREATER_THAN(">"), LESS_THAN("<"), EXISTS(""), DOES_NOT_EXIST("");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }
    }

    Requirement {
        values = List.copyOf(values);
    }

    /** Go's {@code Requirement.Matches}; {@code !=} and {@code notin} match objects without the key. */
    boolean matches(Map<String, String> labels) {
        String value = labels.get(key);
        return switch (operator) {
            case EQUALS, DOUBLE_EQUALS, IN -> value != null && values.contains(value);
            case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
            case EXISTS -> value != null;
            case DOES_NOT_EXIST -> value == null;
            case GREATER_THAN, LESS_THAN -> {
                // A label that is not an integer never matches (Go logs and returns false).
                OptionalLong actual = value == null ? OptionalLong.empty() : GoText.parseInt64(value);
                long bound = GoText.parseInt64(values.getFirst()).orElseThrow();
                yield actual.isPresent()
                        && (operator == Operator.GREATER_THAN
                                ? actual.getAsLong() > bound
                                : actual.getAsLong() < bound);
            }
        };
    }

    /** Go's {@code Requirement.String()}: {@code !x}, {@code x}, {@code x=a}, {@code x in (a,b)}. */
    @Override
    public String toString() {
        return switch (operator) {
            case EXISTS -> key;
            case DOES_NOT_EXIST -> "!" + key;
            case IN, NOT_IN -> key + operator.symbol + "(" + String.join(",", values) + ")";
            default -> key + operator.symbol + values.getFirst();
        };
    }
}
