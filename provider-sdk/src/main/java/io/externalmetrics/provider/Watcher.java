package io.externalmetrics.provider;

import io.externalmetrics.proto.v1.WatchEvent;
import io.grpc.stub.ServerCallStreamObserver;
import java.lang.System.Logger.Level;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One Watch stream. Events wait in a set, one per metric at most, until the stream is ready: a
 * slow client costs memory bounded by the number of push metrics and never blocks
 * {@link EventTrigger#fire()}. Coalescing is exact for this protocol: an event only means "fetch
 * again", and the one event sent after the latest fire() makes the adapter see every change.
 */
final class Watcher {

    private static final System.Logger LOG = System.getLogger(Watcher.class.getName());

    private final ServerCallStreamObserver<WatchEvent> call;
    private final Set<MetricKey> wanted; // empty: every push metric

    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashSet<WatchEvent> pending = new LinkedHashSet<>(); // guarded by lock

    // Serializes all calls on the stream observer (which is not thread-safe) without a lock held
    // across them: whoever moves it from 0 drains, others only count up so the drainer loops again.
    private final AtomicInteger drainRequests = new AtomicInteger();
    private volatile boolean completing;
    private boolean done; // read and written only by the thread draining

    Watcher(ServerCallStreamObserver<WatchEvent> call, Set<MetricKey> wanted) {
        this.call = call;
        this.wanted = Set.copyOf(wanted);
    }

    boolean wants(MetricKey key) {
        return wanted.isEmpty() || wanted.contains(key);
    }

    /** Queues an event (a no-op if one for the metric is already waiting) and sends what it can. */
    void offer(WatchEvent event) {
        lock.lock();
        try {
            pending.add(event);
        } finally {
            lock.unlock();
        }
        drain();
    }

    /** Ends the stream normally, dropping waiting events (the adapter fetches on reconnect). */
    void complete() {
        completing = true;
        drain();
    }

    /** Sends waiting events while the stream is ready; also the stream's onReady handler. */
    void drain() {
        if (drainRequests.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            if (!done) {
                drainOnce();
            }
            missed = drainRequests.addAndGet(-missed);
        } while (missed != 0);
    }

    private void drainOnce() {
        try {
            if (call.isCancelled()) {
                finish();
            } else if (completing) {
                finish();
                call.onCompleted();
            } else {
                while (call.isReady()) {
                    WatchEvent next = poll();
                    if (next == null) {
                        return;
                    }
                    call.onNext(next);
                }
            }
        } catch (RuntimeException e) {
            // The call ended under us (e.g. cancelled between the check and the write).
            finish();
            LOG.log(Level.DEBUG, "watch stream closed while sending", e);
        }
    }

    private WatchEvent poll() {
        lock.lock();
        try {
            Iterator<WatchEvent> it = pending.iterator();
            if (!it.hasNext()) {
                return null;
            }
            WatchEvent next = it.next();
            // Removed before sending: a fire() from now on queues a new event, one before is
            // covered by the event about to go out.
            it.remove();
            return next;
        } finally {
            lock.unlock();
        }
    }

    private void finish() {
        done = true;
        lock.lock();
        try {
            pending.clear();
        } finally {
            lock.unlock();
        }
    }

    int pendingCount() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }
}
