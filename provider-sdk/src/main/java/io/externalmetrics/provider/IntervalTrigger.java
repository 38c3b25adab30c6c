package io.externalmetrics.provider;

import java.time.Duration;

/** {@link Trigger#every(Duration)}: the adapter polls. */
final class IntervalTrigger extends Trigger {

    private final Duration interval;

    IntervalTrigger(Duration interval) {
        this.interval = interval;
    }

    Duration interval() {
        return interval;
    }

    @Override
    public String toString() {
        return "every " + interval;
    }
}
