package io.externalmetrics.adapter.k8s;

import java.util.OptionalLong;
import java.util.regex.Pattern;

/** Go's text conventions we need to copy: {@code %q} quoting for messages, {@code strconv.ParseInt}. */
final class GoText {

    // strconv.ParseInt(s, 10, 64): optional sign, ASCII digits only (Long.parseLong would also take
    // other Unicode digits, which Go rejects).
    private static final Pattern INT64 = Pattern.compile("[+-]?[0-9]+");

    private GoText() {
    }

    /** Go's {@code strconv.ParseInt(s, 10, 64)}: empty when Go would return an error. */
    static OptionalLong parseInt64(String s) {
        if (!INT64.matcher(s).matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(s));
        } catch (NumberFormatException outOfRange) {
            return OptionalLong.empty();
        }
    }

    /** Double-quotes {@code s} for an error message, escaping control characters as Go's {@code %q} does. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
