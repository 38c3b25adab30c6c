package io.externalmetrics.adapter.k8s;

/** A label selector that Kubernetes would reject; the message says what is wrong, in Go's words. */
public final class SelectorParseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A parse failure explained by {@code message}. */
    public SelectorParseException(String message) {
        super(message);
    }

    /** A parse failure explained by {@code message}, wrapping the more specific {@code cause}. */
    public SelectorParseException(String message, Throwable cause) {
        super(message, cause);
    }
}
