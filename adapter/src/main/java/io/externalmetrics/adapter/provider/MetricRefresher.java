package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.MetricRef;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps one metric's cached value current. Triggers (ticks, Watch events) never start a second fetch
 * while one runs: a trigger during a fetch marks the metric dirty and it is fetched once more after,
 * so a burst of events costs at most two fetches.
 */
final class MetricRefresher {

    private static final System.Logger LOG = System.getLogger(MetricRefresher.class.getName());
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int DIRTY = 2;

    private final MetricInfo info;
    private final MetricProviderGrpc.MetricProviderBlockingStub stub;
    private final Duration deadline;
    private final MetricCache cache;
    private final Executor executor;
    private final Semaphore bulkhead;
    private final Clock clock;
    private final ReplyLimits limits;
    private final Runnable onSuccess;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final AtomicLong fetches = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean failing;

    MetricRefresher(MetricInfo info, MetricProviderGrpc.MetricProviderBlockingStub stub, Duration deadline,
                    MetricCache cache, Executor executor, Semaphore bulkhead, Clock clock, ReplyLimits limits,
                    Runnable onSuccess) {
        this.info = info;
        this.stub = stub;
        this.deadline = deadline;
        this.cache = cache;
        this.executor = executor;
        this.bulkhead = bulkhead;
        this.clock = clock;
        this.limits = limits;
        this.onSuccess = onSuccess;
    }

    MetricInfo info() {
        return info;
    }

    /** How many fetches this refresher has started. */
    long fetches() {
        return fetches.get();
    }

    /** Asks for a fetch: starts one now, or marks the running one dirty. Never blocks. */
    void trigger() {
        while (!closed) {
            int s = state.get();
            if (s == IDLE) {
                if (state.compareAndSet(IDLE, RUNNING)) {
                    executor.execute(this::run);
                    return;
                }
            } else if (s == RUNNING) {
                if (state.compareAndSet(RUNNING, DIRTY)) {
                    return;
                }
            } else {
                return;
            }
        }
    }

    /** Stops further fetches; one in flight completes but its result is dropped by the cache if unregistered. */
    void close() {
        closed = true;
    }

    private void run() {
        while (true) {
            if (!closed) {
                fetchOnce();
            }
            if (state.compareAndSet(RUNNING, IDLE)) {
                return;
            }
            state.set(RUNNING); // was DIRTY: one more fetch covers every trigger that arrived meanwhile
        }
    }

    private void fetchOnce() {
        fetches.incrementAndGet();
        var request = FetchRequest.newBuilder()
                .setMetric(MetricRef.newBuilder().setNamespace(info.key().namespace()).setName(info.key().name()))
                .build();
        try {
            bulkhead.acquire();
            FetchResponse reply;
            try {
                reply = stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS).fetch(request);
            } finally {
                bulkhead.release();
            }
            Sample sample = FetchResponses.toSample(info.key().name(), reply, clock.instant(), limits);
            cache.recordSuccess(info.key(), sample);
            onSuccess.run();
            if (failing) {
                failing = false;
                LOG.log(Level.INFO, "provider \"{0}\": metric {1} recovered", info.provider(), info.key());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            String why = Failures.describe(e);
            cache.recordFailure(info.key(), why);
            if (!failing) {
                failing = true;
                LOG.log(Level.WARNING, "provider \"{0}\": fetching metric {1} failed: {2}",
                        info.provider(), info.key(), why);
            }
        }
    }
}
