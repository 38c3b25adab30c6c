package io.externalmetrics.adapter.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.externalmetrics.adapter.cache.Explanation;
import io.externalmetrics.adapter.cache.Failure;
import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.MetricState;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.cache.ReadEvents;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code /debug/explain} written out, as JSON for scripts or as text for a person at a terminal: the
 * request, the registration it found (or why none), the provider, each series and the selector's verdict
 * on it, freshness, the on-error policy, the last error, and the values route's exact answer.
 *
 * @param namespace    the namespace read in
 * @param metric       the metric name read
 * @param selectorText the selector as given, if any
 * @param explanation  what the cache explained
 * @param answer       what the values route answers for the same read
 */
record ExplainReport(String namespace, String metric, Optional<String> selectorText, Explanation explanation,
                     ApiHandler.ValuesAnswer answer) {

    private static final JsonFactory JSON = new JsonFactory();

    /** The values path (and query) this explains, as an HPA would request it. */
    String path() {
        return ApiHandler.VALUES_PREFIX + encode(namespace) + "/" + encode(metric)
                + selectorText.map(s -> "?labelSelector=" + encode(s)).orElse("");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** One line on how the read found its registration, or why it found none. */
    String registration() {
        if (explanation.match().isEmpty() && explanation.provider().isPresent()) {
            ProviderState upstream = explanation.provider().get();
            return "forwarded: no native metric of that name, provider \"" + upstream.name() + "\" forwards it to "
                    + upstream.target() + " (" + upstream.describe() + ")";
        }
        if (explanation.match().isEmpty()) {
            String where = explanation.elsewhere().isEmpty()
                    ? "no provider serves a metric of that name, in any namespace"
                    : "a metric of that name is served only in " + String.join(", ", explanation.elsewhere().stream()
                            .map(key -> "namespace \"" + key.namespace() + "\" as \"" + key.name() + "\"").toList());
            return "no registration matches: none named \"" + metric + "\" in namespace \"" + namespace
                    + "\" nor in \"*\" (not even ignoring case); " + where;
        }
        Explanation.Match match = explanation.match().get();
        MetricKey key = match.key();
        String registered = "\"" + key.name() + "\" registered in namespace \"" + key.namespace() + "\"";
        return switch (match.how()) {
            case EXACT -> "exact: " + registered;
            case ALL_NAMESPACES -> "namespace fallback: " + registered + " (served in every namespace; none in \""
                    + namespace + "\")";
            case IGNORING_CASE -> "case-insensitive: " + registered + " (no exact match for \"" + metric + "\")";
            case IGNORING_CASE_ALL_NAMESPACES -> "case-insensitive, namespace fallback: " + registered
                    + " (no exact match for \"" + metric + "\" in \"" + namespace + "\" or \"*\")";
        };
    }

    /** Which part of the last value a read selects, in words. */
    String selection() {
        return switch (explanation.selection()) {
            case BASE -> "the base value (no selector); series are served only to reads with a selector";
            case EVERY_SERIES -> "every series (no selector, and the provider gave no base value)";
            case MATCHING_SERIES -> "the series matching \"" + selectorText.orElse("") + "\" (never the base value)";
            case NO_VALUE -> "nothing: there is no value yet";
        };
    }

    /** What the on-error policy does right now, in words. */
    String policy() {
        if (explanation.state().isEmpty()) {
            return "none: no registration";
        }
        MetricState state = explanation.state().get();
        OnErrorPolicy onError = state.info().onError();
        if (state.isGone(explanation.now())) {
            return "none: the metric was retired more than its max age ago, so it is gone";
        }
        if (explanation.policy().isEmpty()) {
            return onError + ", not in force: the value is fresh, reads get it";
        }
        ReadEvents.PolicyAnswer decided = explanation.policy().get();
        return switch (decided) {
            case ERROR -> onError instanceof OnErrorPolicy.LastKnownGood lkg
                    ? onError + ", in force: " + (state.sample().isEmpty() ? "there is no last value"
                            : "the last value is older than " + Durations.format(lkg.bound()))
                            + ", so reads get 503 naming the failure"
                    : onError + ", in force: no fresh value, so reads get 503 naming the failure";
            case LAST_KNOWN_GOOD -> onError + ", in force: no fresh value, so reads get the last value until it is "
                    + Durations.format(((OnErrorPolicy.LastKnownGood) onError).bound()) + " old";
            case STATIC -> onError + ", in force: no fresh value, so reads get the fixed value "
                    + ((OnErrorPolicy.Static) onError).value() + " as one item without labels";
        };
    }

    /** Freshness in words: the age that decides, from which clock, against the max age. */
    Optional<String> freshness() {
        return explanation.state().flatMap(state -> state.age(explanation.now()).map(age -> {
            Instant now = explanation.now();
            String verdict = state.isFresh(now) ? "fresh" : "stale";
            String clock = state.agedByObservation() ? "observation" : "fetch";
            Sample sample = state.sample().orElseThrow();
            String fetched = "fetched " + MetricCache.formatAge(Duration.between(state.succeededAt().orElseThrow(),
                    now)) + " ago";
            String observed = sample.observedByProvider()
                    ? "observed by the provider " + MetricCache.formatAge(Duration.between(sample.observedAt(), now))
                            + " ago"
                    : "no observation time from the provider";
            return verdict + ": " + MetricCache.formatAge(age) + " old counted from the " + clock + " (" + fetched
                    + ", " + observed + "), max age " + Durations.format(state.info().maxAge());
        }));
    }

    /** The explanation as an indented JSON object. */
    byte[] json() {
        var out = new ByteArrayOutputStream(2048);
        Instant now = explanation.now();
        try (JsonGenerator json = JSON.createGenerator(out).useDefaultPrettyPrinter()) {
            json.writeStartObject();
            json.writeStringField("time", ExternalMetricJson.timestamp(now));
            json.writeObjectFieldStart("request");
            json.writeStringField("namespace", namespace);
            json.writeStringField("metric", metric);
            if (selectorText.isPresent()) {
                json.writeStringField("labelSelector", selectorText.get());
            }
            json.writeStringField("path", path());
            json.writeEndObject();

            json.writeObjectFieldStart("registration");
            json.writeBooleanField("matched", explanation.match().isPresent());
            if (explanation.match().isPresent()) {
                Explanation.Match match = explanation.match().get();
                json.writeStringField("how", match.how().label());
                MetricInfo info = explanation.state().orElseThrow().info();
                json.writeStringField("namespace", match.key().namespace());
                json.writeStringField("name", match.key().name());
                json.writeStringField("provider", info.provider());
                json.writeStringField("trigger", info.trigger().toString());
                json.writeStringField("maxAge", Durations.format(info.maxAge()));
                json.writeStringField("onError", info.onError().toString());
                Optional<Instant> retired = explanation.state().get().retiredAt();
                if (retired.isPresent()) {
                    json.writeStringField("retiredAt", ExternalMetricJson.timestamp(retired.get()));
                }
            } else {
                json.writeArrayFieldStart("sameNameElsewhere");
                for (MetricKey key : explanation.elsewhere()) {
                    json.writeString(key.toString());
                }
                json.writeEndArray();
            }
            json.writeStringField("explanation", registration());
            json.writeEndObject();

            if (explanation.state().isPresent()) {
                writeProvider(json);
                writeValue(json, explanation.state().get(), now);
            }

            json.writeObjectFieldStart("policy");
            explanation.state().ifPresent(state -> write(json, "onError", state.info().onError().toString()));
            json.writeBooleanField("inForce", explanation.policy().isPresent());
            if (explanation.policy().isPresent()) {
                json.writeStringField("answered", explanation.policy().get().label());
            }
            json.writeStringField("explanation", policy());
            json.writeEndObject();

            Optional<Failure> failure = explanation.state().flatMap(MetricState::failure);
            if (failure.isPresent()) {
                json.writeObjectFieldStart("lastError");
                json.writeStringField("message", failure.get().message());
                json.writeStringField("since", ExternalMetricJson.timestamp(failure.get().since()));
                json.writeStringField("lastAttempt", ExternalMetricJson.timestamp(failure.get().lastAttempt()));
                json.writeNumberField("failures", failure.get().count());
                json.writeEndObject();
            }

            json.writeObjectFieldStart("answer");
            json.writeNumberField("code", answer.code());
            json.writeFieldName("body");
            json.writeRawValue(new String(answer.body(), StandardCharsets.UTF_8));
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void writeProvider(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("provider");
        json.writeStringField("name", explanation.state().orElseThrow().info().provider());
        if (explanation.provider().isPresent()) {
            ProviderState provider = explanation.provider().get();
            json.writeStringField("target", provider.target());
            json.writeBooleanField("reached", provider.reached());
            json.writeStringField("connectivity", provider.connectivity().words());
            json.writeStringField("since", ExternalMetricJson.timestamp(provider.since()));
            json.writeStringField("describe", provider.describe());
        }
        json.writeEndObject();
    }

    private void writeValue(JsonGenerator json, MetricState state, Instant now) throws IOException {
        json.writeObjectFieldStart("freshness");
        json.writeStringField("maxAge", Durations.format(state.info().maxAge()));
        json.writeBooleanField("fresh", state.isFresh(now));
        if (state.sample().isPresent()) {
            Sample sample = state.sample().get();
            Instant fetchedAt = state.succeededAt().orElseThrow();
            json.writeStringField("age", MetricCache.formatAge(state.age(now).orElseThrow()));
            json.writeStringField("agedBy", state.agedByObservation() ? "observation" : "fetch");
            json.writeStringField("fetchedAt", ExternalMetricJson.timestamp(fetchedAt));
            json.writeStringField("sinceFetch", MetricCache.formatAge(Duration.between(fetchedAt, now)));
            if (sample.observedByProvider()) {
                json.writeStringField("observedAt", ExternalMetricJson.timestamp(sample.observedAt()));
                json.writeStringField("sinceObservation",
                        MetricCache.formatAge(Duration.between(sample.observedAt(), now)));
            }
        }
        freshness().ifPresent(text -> write(json, "explanation", text));
        json.writeEndObject();

        json.writeObjectFieldStart("value");
        if (state.sample().flatMap(Sample::base).isPresent()) {
            json.writeStringField("base", state.sample().get().base().get());
        }
        json.writeStringField("selection", switch (explanation.selection()) {
            case BASE -> "base";
            case EVERY_SERIES -> "everySeries";
            case MATCHING_SERIES -> "matchingSeries";
            case NO_VALUE -> "noValue";
        });
        json.writeStringField("explanation", selection());
        json.writeArrayFieldStart("series");
        for (Explanation.SeriesVerdict series : explanation.series()) {
            json.writeStartObject();
            json.writeObjectFieldStart("labels");
            for (Map.Entry<String, String> label : new TreeMap<>(series.labels()).entrySet()) {
                json.writeStringField(label.getKey(), label.getValue());
            }
            json.writeEndObject();
            json.writeStringField("value", series.quantity());
            json.writeBooleanField("selected", series.selected());
            if (series.rejectedBy().isPresent()) {
                json.writeStringField("rejectedBy", series.rejectedBy().get());
            }
            json.writeEndObject();
        }
        json.writeEndArray();
        if (explanation.unlisted().count() > 0) {
            json.writeObjectFieldStart("unlistedSeries");
            json.writeNumberField("count", explanation.unlisted().count());
            json.writeNumberField("selected", explanation.unlisted().selected());
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    private static void write(JsonGenerator json, String field, String value) {
        try {
            json.writeStringField(field, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The explanation for a person: one fact a line, the answer's body last. */
    String text() {
        var out = new StringBuilder();
        Instant now = explanation.now();
        line(out, "read", "GET " + path());
        line(out, "at", ExternalMetricJson.timestamp(now));
        line(out, "registration", registration());
        if (explanation.state().isPresent()) {
            MetricState state = explanation.state().get();
            MetricInfo info = state.info();
            line(out, "provider", "\"" + info.provider() + "\" " + explanation.provider()
                    .map(p -> "at " + p.target() + ", " + (p.reached() ? "reached" : "not reached yet")
                            + "; now " + p.connectivity().words() + " since " + ExternalMetricJson.timestamp(p.since())
                            + "; describe: " + p.describe())
                    .orElse("(no state published)"));
            line(out, "trigger", info.trigger() + "; max age " + Durations.format(info.maxAge()));
            state.retiredAt().ifPresent(at -> line(out, "retired", ExternalMetricJson.timestamp(at)
                    + ": its provider no longer lists it; served until its max age, then gone"));
            line(out, "value", state.sample().map(sample -> sample.base().map(b -> "base " + b).orElse("no base value")
                    + ", " + sample.series().size() + " series").orElse("none yet"));
            line(out, "selects", selection());
            for (Explanation.SeriesVerdict series : explanation.series()) {
                out.append(series.selected() ? "  + " : "  - ").append(new TreeMap<>(series.labels())).append(' ')
                        .append(series.quantity())
                        .append(series.rejectedBy().map(r -> "  (rejected by " + r + ")").orElse("")).append('\n');
            }
            if (explanation.unlisted().count() > 0) {
                out.append("  ... and ").append(explanation.unlisted().count()).append(" more series, ")
                        .append(explanation.unlisted().selected()).append(" of them selected (the first ")
                        .append(Explanation.MAX_LISTED_SERIES).append(" are listed)\n");
            }
            line(out, "freshness", freshness().orElse("no value yet; max age " + Durations.format(info.maxAge())));
            line(out, "last error", state.failure().map(f -> f.message() + " (since "
                    + ExternalMetricJson.timestamp(f.since()) + ", " + f.count() + " failed in a row)").orElse("none"));
        }
        line(out, "on error", policy());
        line(out, "answer", "HTTP " + answer.code());
        out.append(new String(answer.body(), StandardCharsets.UTF_8)).append('\n');
        return out.toString();
    }

    private static void line(StringBuilder out, String label, String text) {
        out.append(label).append(':').append(" ".repeat(Math.max(1, 14 - label.length()))).append(text).append('\n');
    }
}
