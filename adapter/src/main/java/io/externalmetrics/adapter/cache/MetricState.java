package io.externalmetrics.adapter.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything known about one metric at one moment; immutable, replaced whole on every change so a
 * read sees either the old state or the new one.
 *
 * @param info        the registration
 * @param sample      the last good value, if any
 * @param succeededAt when {@code sample} was fetched (freshness counts from here, on the adapter's clock)
 * @param failure     the current run of failures; empty after a success
 * @param retiredAt   when its provider stopped listing it; it is served until its max age, then gone
 */
public record MetricState(MetricInfo info, Optional<Sample> sample, Optional<Instant> succeededAt,
                          Optional<Failure> failure, Optional<Instant> retiredAt) {

    public MetricState {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(sample, "sample");
        Objects.requireNonNull(succeededAt, "succeededAt");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(retiredAt, "retiredAt");
    }

    static MetricState initial(MetricInfo info) {
        return new MetricState(info, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    MetricState withInfo(MetricInfo newInfo) {
        return new MetricState(newInfo, sample, succeededAt, failure, Optional.empty());
    }

    MetricState succeeded(Sample newSample, Instant at) {
        return new MetricState(info, Optional.of(newSample), Optional.of(at), Optional.empty(), retiredAt);
    }

    MetricState failed(String message, Instant at) {
        Failure next = failure
                .map(f -> new Failure(message, f.since(), at, f.count() + 1))
                .orElseGet(() -> new Failure(message, at, at, 1));
        return new MetricState(info, sample, succeededAt, Optional.of(next), retiredAt);
    }

    MetricState retired(Instant at) {
        return retiredAt.isPresent() ? this : new MetricState(info, sample, succeededAt, failure, Optional.of(at));
    }

    /** Whether it was retired longer than its max age ago: then it no longer exists for readers. */
    boolean isGone(Instant now) {
        return retiredAt.map(at -> Duration.between(at, now).compareTo(info.maxAge()) > 0).orElse(false);
    }

    /** How long ago the last good value was fetched, if there is one. */
    public Optional<Duration> age(Instant now) {
        return succeededAt.map(at -> Duration.between(at, now));
    }

    /** Whether the last good value is within the max age. */
    public boolean isFresh(Instant now) {
        return age(now).map(age -> age.compareTo(info.maxAge()) <= 0).orElse(false);
    }
}
