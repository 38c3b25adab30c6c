package io.externalmetrics.adapter.security;

/**
 * The serving certificate or key could not be set up. The message is meant for the operator: it
 * names the file involved and what is wrong with it, so the adapter can print it and exit.
 */
public final class TlsSetupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the file involved
     */
    public TlsSetupException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the file involved
     * @param cause   the underlying failure
     */
    public TlsSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
