package io.externalmetrics.adapter.cache;

import java.time.Instant;
import java.util.Objects;

/**
 * The current run of failed fetches of one metric.
 *
 * @param message     what went wrong last, e.g. {@code UNAVAILABLE: connection refused}
 * @param since       when the first failure of this run happened
 * @param lastAttempt when the latest failure happened
 * @param count       how many fetches failed in a row
 */
public record Failure(String message, Instant since, Instant lastAttempt, long count) {

    public Failure {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(lastAttempt, "lastAttempt");
    }
}
