package io.externalmetrics.adapter.cache;

import java.time.Duration;
import java.util.Objects;

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
}
