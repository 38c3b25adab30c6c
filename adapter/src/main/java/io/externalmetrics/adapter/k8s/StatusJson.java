package io.externalmetrics.adapter.k8s;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Kubernetes {@code Status} objects: the body of every error the API answers. */
public final class StatusJson {

    private static final JsonFactory JSON = new JsonFactory();

    private StatusJson() {
    }

    /**
     * A failure {@code Status}.
     *
     * @param code    the HTTP status code
     * @param reason  the Kubernetes reason, e.g. {@code NotFound}
     * @param message what went wrong, for a person (the HPA shows it)
     */
    public static byte[] failure(int code, String reason, String message) {
        return write(code, reason, message, null);
    }

    /** A 404 {@code Status} with the {@code details} Kubernetes gives for a missing metric. */
    public static byte[] metricNotFound(String metricName, String message) {
        return write(404, "NotFound", message, metricName);
    }

    private static byte[] write(int code, String reason, String message, String notFoundName) {
        var out = new ByteArrayOutputStream(160 + message.length());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("kind", "Status");
            json.writeStringField("apiVersion", "v1");
            json.writeObjectFieldStart("metadata");
            json.writeEndObject();
            json.writeStringField("status", "Failure");
            json.writeStringField("message", message);
            json.writeStringField("reason", reason);
            if (notFoundName != null) {
                json.writeObjectFieldStart("details");
                json.writeStringField("name", notFoundName);
                json.writeStringField("group", "external.metrics.k8s.io");
                json.writeStringField("kind", notFoundName);
                json.writeEndObject();
            }
            json.writeNumberField("code", code);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
