package io.externalmetrics.adapter.provider;

import com.google.protobuf.InvalidProtocolBufferException;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.proto.v1.FetchResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Turns a provider's Fetch reply into a {@link Sample}, rejecting what must not be served: the reply as
 * {@link FetchReplyReader} read it from the wire, or a {@link FetchResponse} message (read the same way,
 * from its bytes, so both give the same sample and the same errors).
 */
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
        FetchReply read;
        try {
            read = FetchReplyReader.read(reply.toByteArray(), rules.limits());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a message's own bytes are no message", e);
        }
        return toSample(metricName, read, receivedAt, rules);
    }

    /**
     * Validates and converts a reply read by {@link FetchReplyReader} (with {@code rules}' limits), with the
     * same checks in the same order as {@link #toSample(String, FetchResponse, Instant, ReplyRules)}.
     */
    static Sample toSample(String metricName, FetchReply reply, Instant receivedAt, ReplyRules rules) {
        ReplyLimits limits = rules.limits();
        OptionalDouble base = OptionalDouble.empty();
        if (reply.value().isPresent()) {
            base = OptionalDouble.of(finite("value", reply.value().getAsDouble()));
        }
        if (reply.seriesCount() > limits.maxSeries()) {
            throw new InvalidReplyException(reply.seriesCount() + " series, more than the limit of "
                    + limits.maxSeries());
        }
        if (reply.seriesProblem() != null) {
            throw new InvalidReplyException(reply.seriesProblem());
        }
        Instant observedAt = receivedAt;
        boolean observedByProvider = false;
        if (reply.observedAt().isPresent()) {
            var ts = reply.observedAt().get();
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
        if (reply.window().isPresent()) {
            Duration w = Protos.duration(reply.window().get());
            if (w.isNegative()) {
                throw new InvalidReplyException("window is negative");
            }
            window = Optional.of(w);
        }
        return Sample.of(metricName, base, reply.series(), observedAt, observedByProvider, window);
    }

    private static double finite(String what, double value) {
        if (!Double.isFinite(value)) {
            throw new InvalidReplyException(what + " is " + value + "; only finite numbers can be served");
        }
        return value;
    }
}
