package io.externalmetrics.adapter.provider;

/** A provider's reply that must not be served (NaN, bad labels, too many series, ...). */
final class InvalidReplyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    InvalidReplyException(String message) {
        super(message);
    }
}
