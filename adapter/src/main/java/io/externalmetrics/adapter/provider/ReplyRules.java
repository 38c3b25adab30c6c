package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import io.externalmetrics.adapter.k8s.StatusJson;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How one provider's Fetch replies are checked and read: the size limits, and how far in the future
 * an observation time may be (clocks drift). One per provider runtime, since it also remembers whether
 * that provider's skew was logged already: a skewed clock skews every reply, and one line says it.
 * Not final: {@code ProviderRules} overrides {@link #observedTooFarAhead} to report the skew the
 * adapter's own check finds instead of logging it.
 */
class ReplyRules {

    private static final System.Logger LOG = System.getLogger(ReplyRules.class.getName());

    private final String provider;
    private final ReplyLimits limits;
    private final Duration maxClockSkew;
    private final AtomicBoolean skewLogged = new AtomicBoolean();

    ReplyRules(String provider, ReplyLimits limits, Duration maxClockSkew) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.maxClockSkew = Objects.requireNonNull(maxClockSkew, "maxClockSkew"); // ProviderConfig's rule: 0s to 1h
    }

    /** The rules a provider's configuration sets. */
    static ReplyRules of(ProviderConfig config) {
        return new ReplyRules(config.name(), new ReplyLimits(config.maxSeries(), config.maxLabelsPerSeries()),
                config.maxClockSkew());
    }

    ReplyLimits limits() {
        return limits;
    }

    /** How far ahead of the adapter's clock an observation time may be and still be believed. */
    Duration maxClockSkew() {
        return maxClockSkew;
    }

    /**
     * Says, once for this provider, that an observation time was further in the future than the
     * allowance, so the fetch time stands in for it.
     */
    void observedTooFarAhead(String metricName, Instant observedAt, Duration ahead) {
        if (skewLogged.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "provider \"{0}\": metric \"{1}\" was observed at {2}, {3} ahead of the "
                            + "adapter''s clock, beyond the provider''s maxClockSkew of {4}: such values are "
                            + "timestamped and aged from their fetch instead. Check the clocks, or raise "
                            + "maxClockSkew (logged once per provider)",
                    provider, StatusJson.abbreviate(metricName), ExternalMetricJson.timestamp(observedAt),
                    Durations.format(ahead.truncatedTo(ChronoUnit.MILLIS)), Durations.format(maxClockSkew));
        }
    }
}
