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
import java.time.LocalDateTime;
import java.time.ZoneOffset;
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

    private static final long YEAR_0 = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long END_OF_YEAR_9999 = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    /** RFC 3339 in UTC, truncated to the second, as {@code metav1.Time} marshals. */
    public static String timestamp(Instant instant) {
        // every item of every fetch has one: written by hand for the years 0 to 9999 (DateTimeFormatter
        // took a tenth of a small fetch's encoding), the same text as ISO_INSTANT (ExternalMetricJsonTest)
        long second = instant.getEpochSecond();
        if (second < YEAR_0 || second > END_OF_YEAR_9999) {
            return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
        char[] text = "0000-00-00T00:00:00Z".toCharArray();
        digits(text, 0, 4, t.getYear());
        digits(text, 5, 2, t.getMonthValue());
        digits(text, 8, 2, t.getDayOfMonth());
        digits(text, 11, 2, t.getHour());
        digits(text, 14, 2, t.getMinute());
        digits(text, 17, 2, t.getSecond());
        return new String(text);
    }

    /** Writes {@code value} as {@code width} decimal digits ending at {@code from + width}. */
    private static void digits(char[] text, int from, int width, int value) {
        for (int i = from + width - 1; i >= from; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
