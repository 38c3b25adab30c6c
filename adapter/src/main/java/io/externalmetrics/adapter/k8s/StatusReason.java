package io.externalmetrics.adapter.k8s;

/**
 * The Kubernetes {@code Status} reasons the adapter answers with, each with its HTTP code, as
 * apimachinery's {@code metav1.StatusReason} constants pair them. The one table of them: every error
 * answer takes its reason and code from here.
 */
public enum StatusReason {

    BAD_REQUEST("BadRequest", 400),
    UNAUTHORIZED("Unauthorized", 401),
    FORBIDDEN("Forbidden", 403),
    NOT_FOUND("NotFound", 404),
    METHOD_NOT_ALLOWED("MethodNotAllowed", 405),
    NOT_ACCEPTABLE("NotAcceptable", 406),
    REQUEST_ENTITY_TOO_LARGE("RequestEntityTooLarge", 413),
    INTERNAL_ERROR("InternalError", 500),
    SERVICE_UNAVAILABLE("ServiceUnavailable", 503);

    private final String reason;
    private final int code;

    StatusReason(String reason, int code) {
        this.reason = reason;
        this.code = code;
    }

    /** The reason as written in a {@code Status}, e.g. {@code NotFound}. */
    public String reason() {
        return reason;
    }

    /** The HTTP status code that goes with it. */
    public int code() {
        return code;
    }

    /**
     * The reason for an HTTP code: the one with that code, else {@link #INTERNAL_ERROR} for a server
     * error and {@link #BAD_REQUEST} for any other (say 414 or 431 from the server's request parsing).
     */
    public static StatusReason forCode(int code) {
        for (StatusReason reason : values()) {
            if (reason.code == code) {
                return reason;
            }
        }
        return code >= 500 ? INTERNAL_ERROR : BAD_REQUEST;
    }
}
