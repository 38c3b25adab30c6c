package io.externalmetrics.adapter.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.externalmetrics.adapter.cache.Explanation;
import io.externalmetrics.adapter.cache.Failure;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.MetricState;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The debug inventory: every provider and metric with its trigger, value, age and last error. For
 * people and scripts; deliberately not part of discovery. A metric's series are counted
 * ({@code seriesCount}) and the first {@value #MAX_LISTED_SERIES} listed, as {@code /debug/explain} lists them.
 */
final class InventoryJson {

    static final int MAX_LISTED_SERIES = Explanation.MAX_LISTED_SERIES;

    private static final JsonFactory JSON = new JsonFactory();

    private InventoryJson() {
    }

    static byte[] write(List<ProviderState> providers, Map<MetricKey, Long> fetches, List<MetricState> metrics,
                        Instant now) {
        var out = new ByteArrayOutputStream(1024);
        try (JsonGenerator json = JSON.createGenerator(out).useDefaultPrettyPrinter()) {
            json.writeStartObject();
            json.writeStringField("time", ExternalMetricJson.timestamp(now));
            json.writeArrayFieldStart("providers");
            for (ProviderState provider : providers) {
                json.writeStartObject();
                json.writeStringField("name", provider.name());
                json.writeStringField("target", provider.target());
                json.writeBooleanField("reached", provider.reached());
                json.writeStringField("connectivity", provider.connectivity().words());
                json.writeStringField("since", ExternalMetricJson.timestamp(provider.since()));
                json.writeStringField("describe", provider.describe());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("metrics");
            for (MetricState state : metrics) {
                writeMetric(json, state, fetches.getOrDefault(state.info().key(), 0L), now);
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeMetric(JsonGenerator json, MetricState state, long fetches, Instant now)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("namespace", state.info().key().namespace());
        json.writeStringField("name", state.info().key().name());
        json.writeStringField("provider", state.info().provider());
        json.writeStringField("trigger", state.info().trigger().toString());
        json.writeStringField("maxAge", Durations.format(state.info().maxAge()));
        json.writeStringField("onError", state.info().onError().toString());
        json.writeNumberField("fetches", fetches);
        json.writeBooleanField("fresh", state.isFresh(now));
        if (state.age(now).isPresent()) {
            json.writeStringField("age", Durations.format(state.age(now).get().withNanos(0)));
        }
        if (state.sample().isPresent()) {
            Sample sample = state.sample().get();
            json.writeObjectFieldStart("value");
            json.writeStringField("observedAt", ExternalMetricJson.timestamp(sample.observedAt()));
            if (sample.window().isPresent()) {
                json.writeNumberField("windowSeconds", sample.window().get().toSeconds());
            }
            if (sample.base().isPresent()) {
                json.writeStringField("base", sample.base().get());
            }
            List<Sample.Labelled> points = sample.labelled();
            json.writeNumberField("seriesCount", points.size());
            json.writeArrayFieldStart("series"); // the first MAX_LISTED_SERIES: a million would be 100 MB
            for (Sample.Labelled point : points.subList(0, Math.min(points.size(), MAX_LISTED_SERIES))) {
                json.writeStartObject();
                json.writeObjectFieldStart("labels");
                for (var label : new TreeMap<>(point.labels()).entrySet()) {
                    json.writeStringField(label.getKey(), label.getValue());
                }
                json.writeEndObject();
                json.writeStringField("value", point.quantity());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        if (state.failure().isPresent()) {
            Failure failure = state.failure().get();
            json.writeObjectFieldStart("lastError");
            json.writeStringField("message", failure.message());
            json.writeStringField("since", ExternalMetricJson.timestamp(failure.since()));
            json.writeStringField("lastAttempt", ExternalMetricJson.timestamp(failure.lastAttempt()));
            json.writeNumberField("failures", failure.count());
            json.writeEndObject();
        }
        json.writeEndObject();
    }
}
