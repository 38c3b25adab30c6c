package io.externalmetrics.adapter.cache;

import io.externalmetrics.adapter.k8s.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the adapter knows about a registered metric, apart from its value.
 *
 * @param key      namespace and name
 * @param provider the name of the provider serving it
 * @param trigger  interval or push
 * @param maxAge   how old a value may be and still be served as fresh (see {@link MetricState#age})
 * @param onError  what reads get when there is no fresh value
 */
public record MetricInfo(MetricKey key, String provider, TriggerSpec trigger, Duration maxAge, OnErrorPolicy onError) {

    public MetricInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(onError, "onError");
        if (maxAge.isZero() || maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
        }
    }

    /**
     * What makes the on-error policy meaningless for this metric, if anything: a last-known-good bound
     * that is not longer than the max age (the max age may come from Describe, known only at run time).
     */
    public Optional<String> policyProblem() {
        if (onError instanceof OnErrorPolicy.LastKnownGood lkg && !lkg.outlasts(maxAge)) {
            return Optional.of("lastKnownGoodFor (" + Durations.format(lkg.bound())
                    + ") is not longer than its max age (" + Durations.format(maxAge)
                    + "), so its last value is never served once stale");
        }
        return Optional.empty();
    }
}
