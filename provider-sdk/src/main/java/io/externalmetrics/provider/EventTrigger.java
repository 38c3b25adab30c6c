package io.externalmetrics.provider;

import java.lang.System.Logger.Level;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A push trigger: the provider calls {@link #fire()} when a metric changed, and the adapter, told
 * on its Watch stream, fetches the metric again. Made by {@link Trigger#onEvent()}.
 *
 * <pre>{@code
 * EventTrigger queueChanged = Trigger.onEvent();
 * builder.addMetric(Namespace.DEFAULT, "queue-depth", queueChanged, request -> Value.of(queue.size()));
 * ...
 * queue.add(job);
 * queueChanged.fire();
 * }</pre>
 */
public final class EventTrigger extends Trigger {

    private static final System.Logger LOG = System.getLogger(EventTrigger.class.getName());

    private final Flow.Publisher<?> source; // null: fired only through fire()
    // One listener per (server, metric) this trigger is registered for; fire() reads it lock-free.
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private EventSubscriber subscriber; // guarded by lock; non-null while subscribed to source

    EventTrigger(Flow.Publisher<?> source) {
        this.source = source;
    }

    /**
     * Announces that the metrics registered with this trigger changed: every Watch stream asking
     * for one of them gets an event, after which the adapter fetches it.
     *
     * <p>Thread-safe, cheap, and never blocks on a slow stream: while a stream cannot take more,
     * events for one metric coalesce into one. Without a Watch stream (or before the metric is
     * registered) it does nothing.
     */
    public void fire() {
        for (Runnable listener : listeners) {
            listener.run();
        }
    }

    /** Registers a metric's listener; subscribes to the publisher with the first one. */
    void attach(Runnable listener) {
        EventSubscriber toSubscribe = null;
        lock.lock();
        try {
            listeners.add(listener);
            if (source != null && subscriber == null) {
                subscriber = new EventSubscriber();
                toSubscribe = subscriber;
            }
        } finally {
            lock.unlock();
        }
        if (toSubscribe != null) {
            source.subscribe(toSubscribe); // outside the lock: a publisher may call back at once
        }
    }

    /** Removes a metric's listener; cancels the subscription with the last one. */
    void detach(Runnable listener) {
        EventSubscriber toCancel = null;
        lock.lock();
        try {
            listeners.remove(listener);
            if (listeners.isEmpty() && subscriber != null) {
                toCancel = subscriber;
                subscriber = null;
            }
        } finally {
            lock.unlock();
        }
        if (toCancel != null) {
            toCancel.cancel();
        }
    }

    @Override
    public String toString() {
        return source == null ? "on event" : "on events from " + source;
    }

    private final class EventSubscriber implements Flow.Subscriber<Object> {

        private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        private volatile boolean cancelled;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            if (!subscription.compareAndSet(null, s)) {
                s.cancel(); // at most one subscription per subscriber (Reactive Streams rule 2.5)
                return;
            }
            if (cancelled) {
                s.cancel();
                return;
            }
            s.request(Long.MAX_VALUE); // fire() never blocks, so there is no reason to hold back
        }

        @Override
        public void onNext(Object item) {
            if (!cancelled) {
                fire();
            }
        }

        @Override
        public void onError(Throwable error) {
            LOG.log(Level.WARNING, "event publisher " + source + " failed; its metrics get no more"
                    + " push events", error);
        }

        @Override
        public void onComplete() {
            LOG.log(Level.DEBUG, () -> "event publisher " + source + " completed");
        }

        void cancel() {
            cancelled = true;
            Flow.Subscription s = subscription.get();
            if (s != null) {
                s.cancel();
            }
        }
    }
}
