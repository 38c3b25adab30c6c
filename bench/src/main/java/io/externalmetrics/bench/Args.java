package io.externalmetrics.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A command line of {@code --name value} (or {@code --name=value}) pairs, each name from a known
 * set; what the bench programs take.
 *
 * @param values the given values by name, without the dashes
 */
record Args(Map<String, String> values) {

    Args {
        values = Map.copyOf(values);
    }

    /**
     * Parses {@code args}.
     *
     * @param known the names allowed, without the dashes
     * @throws IllegalArgumentException naming an unknown or valueless argument
     */
    static Args parse(Set<String> known, String... args) {
        var values = new HashMap<String, String>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + arg);
            }
            int equals = arg.indexOf('=');
            String name = equals > 0 ? arg.substring(2, equals) : arg.substring(2);
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (known: " + known + ")");
            }
            String value;
            if (equals > 0) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            values.put(name, value);
        }
        return new Args(values);
    }

    /** Whether {@code name} was given. */
    boolean has(String name) {
        return values.containsKey(name);
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /**
     * The integer given as {@code name}, or {@code fallback}.
     *
     * @throws IllegalArgumentException if it is not an integer of at least {@code min}
     */
    int integer(String name, int fallback, int min) {
        String raw = values.get(name);
        if (raw == null) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, not " + raw, e);
        }
        if (value < min) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min + ", not " + value);
        }
        return value;
    }
}
