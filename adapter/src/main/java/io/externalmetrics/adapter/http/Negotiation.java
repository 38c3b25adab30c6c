package io.externalmetrics.adapter.http;

import java.util.Locale;

/**
 * Content negotiation: every answer is JSON. The HPA asks for
 * {@code application/vnd.kubernetes.protobuf, *}{@code /*}, which JSON satisfies; a client that
 * accepts only protobuf gets 406.
 */
final class Negotiation {

    private Negotiation() {
    }

    static boolean acceptsJson(String acceptHeader) {
        if (acceptHeader == null || acceptHeader.isBlank()) {
            return true;
        }
        for (String range : acceptHeader.split(",")) {
            int semicolon = range.indexOf(';');
            String type = (semicolon < 0 ? range : range.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
            if (type.equals("application/json") || type.equals("application/*") || type.equals("*/*")) {
                return true;
            }
        }
        return false;
    }
}
