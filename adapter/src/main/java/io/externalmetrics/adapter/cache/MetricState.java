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
 * @param succeededAt when {@code sample} was fetched, on the adapter's clock (its age counts from here, or
 *                    from the provider's observation time when that is older: see {@link #age})
 * @param failure     the current run of failures; empty after a success
 * @param retiredAt   when its provider stopped listing it; it is served until its max age, then gone
 * @param recent      the {@linkplain Sample#summary summaries} of the last few samples, oldest first
 */
public record MetricState(MetricInfo info, Optional<Sample> sample, Optional<Instant> succeededAt,
                          Optional<Failure> failure, Optional<Instant> retiredAt, Recent recent) {

    public MetricState {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(sample, "sample");
        Objects.requireNonNull(succeededAt, "succeededAt");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(retiredAt, "retiredAt");
        Objects.requireNonNull(recent, "recent");
    }

    static MetricState initial(MetricInfo info) {
        return new MetricState(info, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Recent.NONE);
    }

    MetricState withInfo(MetricInfo newInfo) {
        return new MetricState(newInfo, sample, succeededAt, failure, Optional.empty(), recent);
    }

    MetricState succeeded(Sample newSample, Instant at) {
        Recent next = newSample.summary().isPresent() ? recent.appended(newSample.summary().getAsDouble()) : recent;
        return new MetricState(info, Optional.of(newSample), Optional.of(at), Optional.empty(), retiredAt, next);
    }

    MetricState failed(String message, Instant at) {
        Failure next = failure
                .map(f -> new Failure(message, f.since(), at, f.count() + 1))
                .orElseGet(() -> new Failure(message, at, at, 1));
        return new MetricState(info, sample, succeededAt, Optional.of(next), retiredAt, recent);
    }

    MetricState retired(Instant at) {
        return retiredAt.isPresent() ? this
                : new MetricState(info, sample, succeededAt, failure, Optional.of(at), recent);
    }

    /** Whether it was retired longer than its max age ago: then it no longer exists for readers. */
    public boolean isGone(Instant now) {
        return retiredAt.isPresent() && now.isAfter(retiredAt.get().plus(info.maxAge()));
    }

    /**
     * How old the last good value is, if there is one: the older of the time since the adapter fetched
     * it and the time since the provider observed it (when the provider said, and not too far in the
     * future: see {@link Sample#observedByProvider}). A provider relaying a source that stopped updating
     * answers every fetch with the same old observation time, and its value must go stale all the same.
     * An observation time slightly in the future (within the clock-skew allowance) is not older than
     * the fetch, so the age then counts from the fetch.
     */
    public Optional<Duration> age(Instant now) {
        return succeededAt.map(fetchedAt -> Duration.between(agedFrom(fetchedAt), now));
    }

    /** Whether the provider's observation time, rather than the fetch, makes the last good value as old as it is. */
    public boolean agedByObservation() {
        return succeededAt.map(fetchedAt -> !agedFrom(fetchedAt).equals(fetchedAt)).orElse(false);
    }

    /**
     * Whether the last good value is within the max age. On every read: plain comparisons, no
     * {@code Optional} or {@code Duration} made.
     */
    public boolean isFresh(Instant now) {
        return isWithin(info.maxAge(), now);
    }

    /** Whether there is a last good value no older than {@code bound}; as cheap as {@link #isFresh}. */
    boolean isWithin(Duration bound, Instant now) {
        return succeededAt.isPresent() && !now.isAfter(agedFrom(succeededAt.get()).plus(bound));
    }

    /** Where the last good value's age counts from: its fetch, or the provider's observation when older. */
    private Instant agedFrom(Instant fetchedAt) {
        Sample last = sample.orElseThrow(); // present whenever succeededAt is
        return last.observedByProvider() && last.observedAt().isBefore(fetchedAt) ? last.observedAt() : fetchedAt;
    }
}
