package io.externalmetrics.adapter.http;

/**
 * Which part of the API a request is for, by its raw path: the {@code route} label of the HTTP
 * metrics. A handful of values, whatever paths clients send, so the label's cardinality stays bounded.
 */
public enum RouteKind {
    /** Metric values, the one path the HPA reads. */
    VALUES("values"),
    /** {@code /}, {@code /apis} and the group and version documents. */
    DISCOVERY("discovery"),
    /** The OpenAPI documents. */
    OPENAPI("openapi"),
    /** {@code /healthz}, {@code /livez}, {@code /readyz} and their checks. */
    HEALTH("health"),
    /** {@code /debug/...}. */
    DEBUG("debug"),
    /** {@code /metrics}. */
    METRICS("metrics"),
    /** Anything else (answered 404 or 405). */
    OTHER("other");

    private final String label;

    RouteKind(String label) {
        this.label = label;
    }

    /** The label value. */
    public String label() {
        return label;
    }

    /** The kind of a request on {@code rawPath}; prefix checks only, nothing allocated. */
    public static RouteKind of(String rawPath) {
        if (rawPath.startsWith(ApiHandler.VALUES_PREFIX)) {
            return VALUES;
        }
        if (rawPath.equals("/") || isOrUnder(rawPath, "/apis")) {
            return DISCOVERY;
        }
        if (isOrUnder(rawPath, "/openapi")) {
            return OPENAPI;
        }
        if (isOrUnder(rawPath, "/healthz") || isOrUnder(rawPath, "/livez") || isOrUnder(rawPath, "/readyz")) {
            return HEALTH;
        }
        if (isOrUnder(rawPath, "/debug")) {
            return DEBUG;
        }
        if (isOrUnder(rawPath, "/metrics")) {
            return METRICS;
        }
        return OTHER;
    }

    /** Whether {@code path} is {@code base} or a path below it ({@code /apisx} is neither). */
    private static boolean isOrUnder(String path, String base) {
        return path.startsWith(base) && (path.length() == base.length() || path.charAt(base.length()) == '/');
    }
}
