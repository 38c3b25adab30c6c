package io.externalmetrics.adapter.apiserver;

/**
 * The ConfigMap {@code kube-system/extension-apiserver-authentication} is missing, or a key of it is missing or
 * malformed; the message names the key.
 */
public final class ExtensionApiserverAuthenticationException extends RuntimeException {

    public ExtensionApiserverAuthenticationException(String message) {
        super(message);
    }

    public ExtensionApiserverAuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
