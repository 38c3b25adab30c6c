package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.logging.RateLimitedLog;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.grpc.Status;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Keeps one metric's cached value current.
 *
 * <p>Triggers (ticks, Watch events) never start a second fetch while one runs: a trigger during a
 * fetch marks the metric dirty and it is fetched once more after, so a burst of events costs at most
 * two fetches. After a failure the metric backs off (exponential, full jitter, capped, forever):
 * triggers are absorbed until the retry, so a failing provider is not hammered by its own ticks.
 */
final class MetricRefresher {

    private static final System.Logger LOG = System.getLogger(MetricRefresher.class.getName());
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int DIRTY = 2;

    /**
     * What a refresher needs from its provider.
     *
     * @param fetchers  the provider's fetches, whatever its protocol
     * @param cache     where results go
     * @param executor  runs fetches (virtual threads)
     * @param scheduler runs retry timers
     * @param bulkhead  bounds the provider's concurrent fetches
     * @param clock     the adapter's clock, for observation and failure times
     * @param backoff   retry timing
     * @param listener  told of successes and failures
     * @param ticker    monotonic nanoseconds, for how long a fetch took
     * @param events    told of every fetch, for the adapter's own metrics
     */
    record Context(MetricSource.Fetchers fetchers, MetricCache cache, Executor executor,
                   ScheduledExecutorService scheduler, Semaphore bulkhead, Clock clock, Backoff backoff,
                   Listener listener, LongSupplier ticker, ProviderEvents events) {

        /** Fetching from a provider of our protocol, without the adapter's own metrics (tests of the refresh logic). */
        Context(MetricProviderGrpc.MetricProviderBlockingStub stub, MetricCache cache, Executor executor,
                ScheduledExecutorService scheduler, Semaphore bulkhead, Clock clock, Backoff backoff,
                ReplyRules replies, Listener listener) {
            this(MetricProviderSource.fetchers(stub, replies), cache, executor, scheduler, bulkhead, clock, backoff,
                    listener, System::nanoTime, ProviderEvents.NONE);
        }
    }

    /** Hears how fetches end, to track provider reachability. */
    interface Listener {
        void succeeded();

        void failed(Status.Code code);
    }

    private final MetricInfo info;
    private final MetricSource.Fetcher fetcher;
    private final Duration deadline;
    private final Context context;
    private final ProviderEvents.MetricFetches events;
    // first failures and recoveries are state changes; a metric that flaps says each at most once per interval
    private final RateLimitedLog log;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicInteger retries = new AtomicInteger();
    private volatile boolean closed;
    private final ReentrantLock recording = new ReentrantLock(); // cache writes, against close()
    // written by the single running fetch; read by triggers
    private volatile int consecutiveFailures;
    private volatile boolean backingOff;

    MetricRefresher(MetricInfo info, Duration deadline, Context context) {
        this.info = info;
        this.fetcher = context.fetchers().fetcher(info);
        this.deadline = deadline;
        this.context = context;
        this.events = context.events().fetches(info);
        this.log = new RateLimitedLog(LOG, RateLimitedLog.INTERVAL, context.ticker());
    }

    MetricInfo info() {
        return info;
    }

    /** How many fetches this refresher has started. */
    long fetches() {
        return fetches.get();
    }

    /** Asks for a fetch: starts one now, or marks the running one dirty; absorbed while backing off. Never blocks. */
    void trigger() {
        if (backingOff) {
            return; // the scheduled retry covers this trigger
        }
        start();
    }

    /** Ends any backoff and fetches now: the provider is known to be reachable again. */
    void retryNow() {
        backingOff = false;
        start();
    }

    /**
     * Stops further fetches. One in flight completes unrecorded: a provider restarted under the same
     * name has a new refresher for the same cache entry, and an old reply or the old channel's
     * shutdown must not land there.
     */
    void close() {
        recording.lock(); // waits for a cache write under way: after this returns, none happens
        try {
            closed = true;
        } finally {
            recording.unlock();
        }
    }

    /** Runs {@code write} on the cache unless closed; returns whether it ran. */
    private boolean record(Runnable write) {
        recording.lock();
        try {
            if (closed) {
                return false;
            }
            write.run();
            return true;
        } finally {
            recording.unlock();
        }
    }

    private void start() {
        while (!closed) {
            int s = state.get();
            if (s == IDLE) {
                if (state.compareAndSet(IDLE, RUNNING)) {
                    try {
                        context.executor().execute(this::run);
                    } catch (RejectedExecutionException e) {
                        state.set(IDLE); // shutting down
                    }
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

    private void run() {
        while (true) {
            boolean ok = closed || fetchOnce();
            if (!ok) {
                backingOff = true; // absorbs triggers from here until the retry
                state.set(IDLE);
                scheduleRetry(consecutiveFailures);
                return;
            }
            if (state.compareAndSet(RUNNING, IDLE)) {
                return;
            }
            state.set(RUNNING); // was DIRTY: one more fetch covers every trigger that arrived meanwhile
        }
    }

    /** Fetches once; returns false when it failed (and a retry was scheduled). */
    private boolean fetchOnce() {
        fetches.incrementAndGet();
        long took = 0; // how long the call took
        try {
            context.bulkhead().acquire();
            MetricSource.Reply reply;
            events.started();
            long startedAt = context.ticker().getAsLong();
            try {
                reply = fetcher.fetch(deadline);
            } finally {
                took = context.ticker().getAsLong() - startedAt;
                context.bulkhead().release();
                events.ended();
            }
            if (closed) {
                return true;
            }
            Sample sample = reply.toSample(context.clock().instant());
            if (!record(() -> context.cache().recordSuccess(info.key(), sample))) {
                return true;
            }
            events.fetched(ProviderEvents.FetchResult.OK, took);
            context.listener().succeeded();
            if (consecutiveFailures > 0) {
                log.log(Level.INFO, "recovered", "provider \"" + info.provider() + "\": metric " + info.key()
                        + " recovered after " + consecutiveFailures + " failed fetches");
                consecutiveFailures = 0;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } catch (RuntimeException | OutOfMemoryError e) {
            // out of memory: a reply too big for the heap, whose allocations are gone once it unwinds; a
            // failure like any other, so this metric is retried and no thread is left holding it RUNNING
            String why = Failures.describe(e);
            if (!record(() -> context.cache().recordFailure(info.key(), why))) {
                return true;
            }
            events.fetched(e instanceof InvalidReplyException
                    ? ProviderEvents.FetchResult.INVALID
                    : ProviderEvents.FetchResult.ERROR, took);
            context.listener().failed(Status.fromThrowable(e).getCode());
            int failures = ++consecutiveFailures;
            if (failures == 1) {
                log.log(Level.WARNING, "failed", "provider \"" + info.provider() + "\": fetching metric "
                        + info.key() + " failed: " + why + "; retrying with backoff");
            }
            return false;
        }
    }

    private void scheduleRetry(int failures) {
        if (closed) {
            return;
        }
        int generation = retries.incrementAndGet();
        Duration wait = context.backoff().delay(failures - 1);
        try {
            context.scheduler().schedule(() -> {
                if (backingOff && retries.get() == generation) {
                    backingOff = false;
                    start();
                }
            }, wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            backingOff = false; // shutting down
        }
    }
}
