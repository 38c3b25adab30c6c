package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.k8s.LabelRules;
import io.externalmetrics.adapter.k8s.StatusJson;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.Series;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** Turns a provider's {@link FetchResponse} into a {@link Sample}, rejecting what must not be served. */
final class FetchResponses {

    /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the bounds of a google.protobuf.Timestamp. */
    static final long MIN_TIMESTAMP_SECONDS = -62_135_596_800L;
    static final long MAX_TIMESTAMP_SECONDS = 253_402_300_799L;

    private FetchResponses() {
    }

    /**
     * Validates and converts a reply.
     *
     * @param receivedAt the observation time when the provider gave none, or one further in the future
     *                   than {@link ReplyRules#maxClockSkew}: a value is never served with a timestamp
     *                   beyond the allowance, nor aged from one
     * @param rules      the provider's reply limits and clock-skew allowance
     * @throws InvalidReplyException saying what is wrong
     */
    static Sample toSample(String metricName, FetchResponse reply, Instant receivedAt, ReplyRules rules) {
        ReplyLimits limits = rules.limits();
        OptionalDouble base = OptionalDouble.empty();
        if (reply.hasValue()) {
            base = OptionalDouble.of(finite("value", reply.getValue()));
        }
        if (reply.getSeriesCount() > limits.maxSeries()) {
            throw new InvalidReplyException(reply.getSeriesCount() + " series, more than the limit of "
                    + limits.maxSeries());
        }
        List<Sample.SeriesValue> series = new ArrayList<>(reply.getSeriesCount());
        var seen = new HashSet<Map<String, String>>();
        for (int i = 0; i < reply.getSeriesCount(); i++) {
            Series s = reply.getSeries(i);
            Map<String, String> labels = s.getLabelsMap();
            if (labels.size() > limits.maxLabelsPerSeries()) {
                throw new InvalidReplyException("series " + i + " has " + labels.size()
                        + " labels, more than the limit of " + limits.maxLabelsPerSeries());
            }
            for (Map.Entry<String, String> label : labels.entrySet()) {
                List<String> keyErrors = LabelRules.keyErrors(label.getKey());
                if (!keyErrors.isEmpty()) {
                    throw new InvalidReplyException("series " + i + ": label key \""
                            + StatusJson.abbreviate(label.getKey()) + "\": " + String.join("; ", keyErrors));
                }
                List<String> valueErrors = LabelRules.valueErrors(label.getValue());
                if (!valueErrors.isEmpty()) {
                    throw new InvalidReplyException("series " + i + ": label \"" + label.getKey() + "\" value \""
                            + StatusJson.abbreviate(label.getValue()) + "\": " + String.join("; ", valueErrors));
                }
            }
            if (!seen.add(labels)) {
                throw new InvalidReplyException("series " + i + " repeats the labels " + labels);
            }
            series.add(new Sample.SeriesValue(labels, finite("series " + i + " " + labels, s.getValue())));
        }
        Instant observedAt = receivedAt;
        boolean observedByProvider = false;
        if (reply.hasObservedAt()) {
            var ts = reply.getObservedAt();
            if (ts.getNanos() < 0 || ts.getNanos() > 999_999_999) {
                throw new InvalidReplyException("observed_at has invalid nanos " + ts.getNanos());
            }
            // google.protobuf.Timestamp's range, years 0001 to 9999: Kubernetes' metav1.Time cannot
            // carry other years, so serving one would make the HPA fail to decode the whole list
            if (ts.getSeconds() < MIN_TIMESTAMP_SECONDS || ts.getSeconds() > MAX_TIMESTAMP_SECONDS) {
                throw new InvalidReplyException("observed_at " + ts.getSeconds()
                        + "s is outside years 0001 to 9999");
            }
            Instant given = Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
            Duration ahead = Duration.between(receivedAt, given);
            if (ahead.compareTo(rules.maxClockSkew()) > 0) {
                rules.observedTooFarAhead(metricName, given, ahead);
            } else {
                observedAt = given;
                observedByProvider = true;
            }
        }
        Optional<Duration> window = Optional.empty();
        if (reply.hasWindow()) {
            Duration w = Protos.duration(reply.getWindow());
            if (w.isNegative()) {
                throw new InvalidReplyException("window is negative");
            }
            window = Optional.of(w);
        }
        return Sample.of(metricName, base, series, observedAt, observedByProvider, window);
    }

    private static double finite(String what, double value) {
        if (!Double.isFinite(value)) {
            throw new InvalidReplyException(what + " is " + value + "; only finite numbers can be served");
        }
        return value;
    }
}
