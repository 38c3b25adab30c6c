package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.k8s.StatusJson;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Words for a failed call, as a user should read them in a Status message or log line. */
final class Failures {

    private Failures() {
    }

    static String describe(Throwable error) {
        if (error instanceof StatusRuntimeException sre) {
            Status status = sre.getStatus();
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
        return error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    }


    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
