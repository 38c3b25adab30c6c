package io.externalmetrics.adapter.auth;

/**
 * A review could not be had: the kube-apiserver was unreachable, slow or answered with an error.
 * The message says what failed, without credentials; the request is refused with 503.
 */
public final class ReviewUnavailableException extends RuntimeException {

    public ReviewUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public ReviewUnavailableException(String message) {
        super(message);
    }
}
