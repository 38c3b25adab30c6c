package io.externalmetrics.adapter.http;

import io.externalmetrics.adapter.k8s.StatusJson;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Query strings decoded as Go's {@code url.ParseQuery} does: {@code +} is a space, bad escapes are errors. */
final class Queries {

    private Queries() {
    }

    /**
     * The first value of {@code name} in a raw query string.
     *
     * @throws IllegalArgumentException for a malformed escape or a semicolon, as Go rejects them
     */
    static Optional<String> first(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> found = Optional.empty();
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            if (pair.indexOf(';') >= 0) {
                throw new IllegalArgumentException("invalid semicolon separator in query");
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (found.isEmpty() && key.equals(name)) {
                found = Optional.of(value);
            }
        }
        return found;
    }

    /** Percent-decodes one path segment ({@code +} stays a plus, as in paths). */
    static String decodePathSegment(String raw) {
        return raw.indexOf('%') < 0 ? raw : decode(raw.replace("+", "%2B"));
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid URL escape in \"" + StatusJson.abbreviate(s) + "\"", e);
        }
    }

}
