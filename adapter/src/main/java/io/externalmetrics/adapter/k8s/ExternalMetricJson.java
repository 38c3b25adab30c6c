package io.externalmetrics.adapter.k8s;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * JSON of {@code external.metrics.k8s.io/v1beta1} values, as Go's {@code encoding/json} writes
 * them: items are encoded once per refresh and lists are assembled from those bytes per read.
 */
public final class ExternalMetricJson {

    /**
     * Buffers from a shared pool: Jackson's default keeps them per thread, and every fetch runs on a
     * virtual thread of its own, so each fetch allocated ~16 KB of new buffers (ValueListBench).
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedBoundedPool())
            .build();
    private static final byte[] LIST_PREFIX = ("{\"kind\":\"ExternalMetricValueList\","
            + "\"apiVersion\":\"external.metrics.k8s.io/v1beta1\",\"metadata\":{},\"items\":[")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] LIST_SUFFIX = "]}".getBytes(StandardCharsets.UTF_8);

    private ExternalMetricJson() {
    }

    /**
     * One {@code ExternalMetricValue}.
     *
     * @param metricName the metric's name
     * @param labels     its labels, written sorted by key as Go writes maps
     * @param timestamp  the observation time, written in UTC with second precision ({@code metav1.Time})
     * @param window     the window, written in whole seconds when present
     * @param quantity   the canonical quantity
     */
    public static byte[] item(String metricName, Map<String, String> labels, Instant timestamp,
                              Optional<Duration> window, String quantity) {
        var out = new ByteArrayOutputStream(96 + 32 * labels.size());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("metricName", metricName);
            json.writeObjectFieldStart("metricLabels");
            for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
                json.writeStringField(label.getKey(), label.getValue());
            }
            json.writeEndObject();
            json.writeStringField("timestamp", timestamp(timestamp));
            if (window.isPresent()) {
                json.writeNumberField("window", window.get().toSeconds());
            }
            json.writeStringField("value", quantity);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * {@code s} as {@link #item} writes a string: quoted, with what JSON requires escaped. Label keys and
     * values (Kubernetes' syntax) and quantities need no escape and are copied as they are; anything else is
     * written by the same JSON generator as an item.
     */
    public static byte[] string(String s) {
        if (isPlain(s)) {
            byte[] quoted = new byte[s.length() + 2];
            quoted[0] = '"';
            for (int i = 0; i < s.length(); i++) {
                quoted[i + 1] = (byte) s.charAt(i);
            }
            quoted[quoted.length - 1] = '"';
            return quoted;
        }
        var out = new ByteArrayOutputStream(s.length() + 8);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Whether {@link #string} writes {@code s} as its characters between quotes: printable ASCII without
     * {@code "} or backslash.
     */
    public static boolean isPlain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** An {@code ExternalMetricValueList} holding the given encoded items. */
    public static byte[] list(List<byte[]> items) {
        int size = LIST_PREFIX.length + LIST_SUFFIX.length + Math.max(0, items.size() - 1);
        for (byte[] item : items) {
            size += item.length;
        }
        byte[] body = new byte[size];
        System.arraycopy(LIST_PREFIX, 0, body, 0, LIST_PREFIX.length);
        int at = LIST_PREFIX.length;
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                body[at++] = ',';
            }
            byte[] item = items.get(i);
            System.arraycopy(item, 0, body, at, item.length);
            at += item.length;
        }
        System.arraycopy(LIST_SUFFIX, 0, body, at, LIST_SUFFIX.length);
        return body;
    }

    /** RFC 3339 in UTC, truncated to the second, as {@code metav1.Time} marshals. */
    public static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
