package io.externalmetrics.provider;

import io.externalmetrics.proto.v1.WatchEvent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The open Watch streams of one service: fans each event out to every stream that wants it. */
final class WatchHub {

    private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    void add(Watcher watcher) {
        watchers.add(watcher);
        if (closed) { // raced with closeAll(): end it here (complete() is idempotent)
            watchers.remove(watcher);
            watcher.complete();
        }
    }

    void remove(Watcher watcher) {
        watchers.remove(watcher);
    }

    void publish(MetricKey key, WatchEvent event) {
        for (Watcher watcher : watchers) {
            if (watcher.wants(key)) {
                watcher.offer(event);
            }
        }
    }

    /** Completes every stream, and any that opens from now on. */
    void closeAll() {
        closed = true;
        for (Watcher watcher : watchers) {
            watchers.remove(watcher);
            watcher.complete();
        }
    }

    int size() {
        return watchers.size();
    }

    /** Events waiting on all streams; for tests. */
    int pendingEvents() {
        return watchers.stream().mapToInt(Watcher::pendingCount).sum();
    }
}
