package io.externalmetrics.provider;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * When the adapter fetches a metric again: on a fixed interval, or when the provider announces a
 * change.
 *
 * <ul>
 *   <li>{@link #every(Duration)}: the adapter polls at that interval (announced through the
 *       Describe RPC);</li>
 *   <li>{@link #onEvent()}: the provider calls {@link EventTrigger#fire()} when the metric changed,
 *       and the adapter, told on its Watch stream, fetches it;</li>
 *   <li>{@link #from(Flow.Publisher)}: the same, fired on every item a publisher emits.</li>
 * </ul>
 */
public abstract sealed class Trigger permits IntervalTrigger, EventTrigger {

    Trigger() {
    }

    /**
     * Fetch the metric every {@code interval}.
     *
     * @param interval the polling period; positive
     * @return the trigger
     * @throws IllegalArgumentException if {@code interval} is zero or negative
     */
    public static Trigger every(Duration interval) {
        Objects.requireNonNull(interval, "interval must not be null");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        return new IntervalTrigger(interval);
    }

    /**
     * Fetch the metric whenever the provider calls {@link EventTrigger#fire()} on the returned
     * trigger. One trigger may be registered for several metrics: firing it announces a change of
     * each.
     *
     * @return a new event trigger
     */
    public static EventTrigger onEvent() {
        return new EventTrigger(null);
    }

    /**
     * Fetch the metric whenever {@code events} emits an item (the item itself is ignored: an event
     * only means "fetch again"). The trigger subscribes, requesting items without bound, when its
     * metric is registered ({@link MetricProviderServer.Builder#build()}), and cancels the
     * subscription when the server is closed. An error or completion of the publisher ends the
     * events; the metric is then only fetched when the adapter (re)connects.
     *
     * @param events the publisher, e.g. a {@link java.util.concurrent.SubmissionPublisher}
     * @return a new trigger
     */
    public static Trigger from(Flow.Publisher<?> events) {
        return new EventTrigger(Objects.requireNonNull(events, "events must not be null"));
    }
}
