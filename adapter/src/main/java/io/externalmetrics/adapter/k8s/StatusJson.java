package io.externalmetrics.adapter.k8s;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Kubernetes {@code Status} objects: the body of every error the API answers. */
public final class StatusJson {

    /**
     * Buffers from a shared pool: Jackson's default keeps them per thread, and every request runs on a
     * virtual thread of its own, so each error answer allocated ~16 KB of new buffers (NotFoundBench).
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedBoundedPool())
            .build();
    /** Longest text quoted whole in a message; longer ones are cut (see {@link #abbreviate}). */
    static final int MAX_QUOTED = 100;

    private StatusJson() {
    }

    /**
     * A failure {@code Status} with the reason's own code.
     *
     * @param reason  the Kubernetes reason and its HTTP code
     * @param message what went wrong, for a person (the HPA shows it)
     */
    public static byte[] failure(StatusReason reason, String message) {
        return write(reason.code(), reason, message, null);
    }

    /**
     * A failure {@code Status} for an HTTP code the table has no reason of its own for (see
     * {@link StatusReason#forCode}): the body carries {@code code}, as the response does.
     */
    public static byte[] failure(int code, StatusReason reason, String message) {
        return write(code, reason, message, null);
    }

    /** A 404 {@code Status} with the {@code details} Kubernetes gives for a missing metric. */
    public static byte[] metricNotFound(String metricName, String message) {
        return write(StatusReason.NOT_FOUND.code(), StatusReason.NOT_FOUND, message, metricName);
    }

    /**
     * Text from outside (a path, a selector, a header, a provider's words) as quoted in a Status
     * message or a log line: whole up to {@value #MAX_QUOTED} characters, else cut with "...", so
     * that nobody can make a message as long as their input.
     */
    public static String abbreviate(String s) {
        return s.length() <= MAX_QUOTED ? s : s.substring(0, MAX_QUOTED - 3) + "...";
    }

    /**
     * The {@code Status} as JSON. Text of printable ASCII (every message about a valid metric name, with
     * its quotes) is copied into the fixed layout directly, a quote or backslash escaped as Jackson
     * escapes it: a 404 is answered on every read of a name nobody serves, and a JSON generator made per
     * answer cost more than the rest of the answer (NotFoundBench). Other text goes through Jackson;
     * both write the same bytes (StatusJsonTest).
     */
    static byte[] write(int code, StatusReason reason, String message, String notFoundName) {
        if (!isAscii(message) || notFoundName != null && !isAscii(notFoundName)) {
            return writeWithJackson(code, reason, message, notFoundName);
        }
        var out = new StringBuilder(180 + message.length() + (notFoundName == null ? 0 : 2 * notFoundName.length()));
        out.append("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"");
        appendEscaped(out, message).append("\",\"reason\":\"").append(reason.reason()).append('"');
        if (notFoundName != null) {
            appendEscaped(out.append(",\"details\":{\"name\":\""), notFoundName)
                    .append("\",\"group\":\"external.metrics.k8s.io\",\"kind\":\"");
            appendEscaped(out, notFoundName).append("\"}");
        }
        return out.append(",\"code\":").append(code).append('}').toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Whether {@code s} is printable ASCII only: nothing JSON writes as an escape code or in several bytes. */
    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** Appends printable ASCII {@code s} as a JSON string's content: {@code "} and backslash escaped. */
    private static StringBuilder appendEscaped(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out;
    }

    /** {@link #write} by a JSON generator, for any text. */
    static byte[] writeWithJackson(int code, StatusReason reason, String message, String notFoundName) {
        var out = new ByteArrayOutputStream(160 + message.length());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("kind", "Status");
            json.writeStringField("apiVersion", "v1");
            json.writeObjectFieldStart("metadata");
            json.writeEndObject();
            json.writeStringField("status", "Failure");
            json.writeStringField("message", message);
            json.writeStringField("reason", reason.reason());
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
