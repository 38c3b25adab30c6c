package io.externalmetrics.adapter.provider;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds one provider's fetches in flight: a fetch over the bound waits in line, holding no thread, and
 * starts when one in flight {@linkplain #release ends}, in the order they came. A slow provider queues its
 * own fetches, nobody else's.
 */
final class Bulkhead {

    private static final System.Logger LOG = System.getLogger(Bulkhead.class.getName());

    private final Semaphore free;
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    // how many asked for the line to be served; one thread serves it at a time (see serve)
    private final AtomicInteger serveRequests = new AtomicInteger();

    /** @param permits how many fetches may be in flight at once */
    Bulkhead(int permits) {
        free = new Semaphore(permits);
    }

    /**
     * Runs {@code start} now on this thread if a fetch may start, else later, on the thread of the
     * {@link #release} that makes room. {@code start} holds a permit: it must call {@link #release} once,
     * when its fetch ends, and must neither block nor throw.
     */
    void enter(Runnable start) {
        waiting.add(start);
        serve();
    }

    /** A fetch ended: the next in line may start. */
    void release() {
        free.release();
        serve();
    }

    /** Fetches waiting for a permit; for tests. */
    int waiting() {
        return waiting.size();
    }

    /** Runs a start, which must not throw: one that does anyway is said, and the line goes on. */
    private static void start(Runnable start) {
        try {
            start.run();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "a fetch failed to start", e);
        }
    }

    /**
     * Starts waiting fetches while permits are free. One thread at a time: a fetch that ends at once (an
     * in-process provider) releases from inside this loop, which then serves its successor too, instead of
     * each successor starting one call deeper on the stack.
     */
    private void serve() {
        if (serveRequests.getAndIncrement() != 0) {
            return; // the thread serving the line sees this request before it stops
        }
        int requests = 1;
        do {
            Runnable next;
            while ((next = waiting.peek()) != null && free.tryAcquire()) {
                waiting.remove(); // the one peeked at: only the serving thread takes from the line
                start(next);
            }
            requests = serveRequests.addAndGet(-requests);
        } while (requests != 0);
    }
}
