package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.k8s.StatusJson;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/** Words for a failed call, as a user should read them in a Status message or log line. */
final class Failures {

    private Failures() {
    }

    static String describe(Throwable error) {
        if (error instanceof StatusRuntimeException sre) {
            Status status = sre.getStatus();
            String tls = tlsFailure(status.getCause());
            if (!tls.isEmpty()) {
                // gRPC's own description of these is "io exception" and a Netty pipeline dump
                Throwable root = rootCause(status.getCause());
                return status.getCode().name() + ": " + tls
                        + (root.getMessage() == null ? "" : " (" + StatusJson.abbreviate(root.getMessage()) + ")");
            }
            String text = status.getCode().name();
            String description = status.getDescription();
            if (description != null && !description.isBlank()) {
                text += ": " + StatusJson.abbreviate(description.strip());
            }
            Throwable cause = rootCause(status.getCause());
            if (cause != null && cause.getMessage() != null
                    && (description == null || !description.contains(cause.getMessage()))) {
                text += " (" + StatusJson.abbreviate(cause.getMessage()) + ")";
            }
            return text;
        }
        if (error instanceof InvalidReplyException invalid) {
            return "invalid reply: " + invalid.getMessage();
        }
        if (error instanceof OutOfMemoryError) {
            return "the reply did not fit in the adapter's heap (" + error + "): give the adapter more heap"
                    + " (-Xmx) or have the provider serve fewer series";
        }
        return error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    }

    /** What kind of TLS failure is in {@code error}'s causes, or "" when none is. */
    private static String tlsFailure(Throwable error) {
        String found = "";
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                return "TLS handshake failed";
            }
            if (t instanceof SSLException) {
                found = "TLS failed";
            }
        }
        return found;
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
