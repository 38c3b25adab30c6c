package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.logging.RateLimitedLog;
import io.grpc.Channel;
import io.grpc.Status;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 *
 * <p>No thread waits for a fetch of our protocol. A trigger starts the call on its own thread (it does not
 * block), and the reply is heard on gRPC's thread: a small one, when nothing is to be logged, is read and
 * recorded there at once; a big one, a failure (an invalid reply too) or a recovery is handed to the fetch
 * executor, so reading a million series or writing a log line never holds up the thread that serves the
 * provider's channel. With 10,000 metrics this saves two thread hand-offs per fetch, most of what a
 * fetch cost.
 */
final class MetricRefresher {

    /** Replies up to this size are read on the thread that received them (a few hundred series). */
    static final int INLINE_REPLY_BYTES = 16 * 1024;

    private static final System.Logger LOG = System.getLogger(MetricRefresher.class.getName());
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int DIRTY = 2;

    /**
     * What a refresher needs from its provider.
     *
     * @param fetchers  the provider's fetches, whatever its protocol
     * @param cache     where results go
     * @param executor  reads big replies and handles failures (virtual threads)
     * @param scheduler runs retry timers
     * @param bulkhead  bounds the provider's concurrent fetches
     * @param clock     the adapter's clock, for observation and failure times
     * @param backoff   retry timing
     * @param listener  told of successes and failures
     * @param ticker    monotonic nanoseconds, for how long a fetch took
     * @param events    told of every fetch, for the adapter's own metrics
     */
    record Context(MetricSource.Fetchers fetchers, MetricCache cache, Executor executor,
                   ScheduledExecutorService scheduler, Bulkhead bulkhead, Clock clock, Backoff backoff,
                   Listener listener, LongSupplier ticker, ProviderEvents events) {

        /** Fetching from a provider of our protocol, without the adapter's own metrics (tests of the refresh logic). */
        Context(Channel channel, MetricCache cache, Executor executor, ScheduledExecutorService scheduler,
                Bulkhead bulkhead, Clock clock, Backoff backoff, ReplyRules replies, Listener listener) {
            this(MetricProviderSource.fetchers(channel, replies), cache, executor, scheduler, bulkhead, clock, backoff,
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

    /** Whether a fetch is under way: started, and its reply or failure not yet recorded (or dropped, once closed). */
    boolean fetching() {
        return state.get() != IDLE;
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
                    fetch();
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

    /** Starts one fetch (RUNNING): when the bulkhead lets it, now or after a fetch in flight ends. */
    private void fetch() {
        fetches.incrementAndGet();
        context.bulkhead().enter(this::call);
    }

    /**
     * Holding a permit of the bulkhead: the call, unless closed meanwhile. The permit is held until the reply
     * is read (or the failure recorded), so at most the bound's replies of a provider wait to be read.
     */
    private void call() {
        if (closed) {
            ended(true);
            return;
        }
        events.started();
        long startedAt = context.ticker().getAsLong();
        var heard = new AtomicBoolean(); // the end, once: a start that throws after the source said so says nothing
        MetricSource.Done done = new MetricSource.Done() {
            @Override
            public void replied(MetricSource.Reply reply) {
                if (heard.compareAndSet(false, true)) {
                    long took = context.ticker().getAsLong() - startedAt;
                    events.ended();
                    replyArrived(reply, took);
                }
            }

            @Override
            public void failed(Throwable why) {
                if (heard.compareAndSet(false, true)) {
                    long took = context.ticker().getAsLong() - startedAt;
                    events.ended();
                    handOff(() -> failedFetch(why, took));
                }
            }
        };
        try {
            fetcher.fetch(deadline, done);
        } catch (RejectedExecutionException e) {
            if (heard.compareAndSet(false, true)) {
                events.ended();
                endQuietly(); // shutting down
            }
        } catch (RuntimeException | Error e) {
            done.failed(e);
        }
    }

    /**
     * The reply, on the thread that heard it (gRPC's): read and recorded here when small and nothing is to be
     * logged, else handed to the fetch executor.
     */
    private void replyArrived(MetricSource.Reply reply, long took) {
        if (reply.bytes() > INLINE_REPLY_BYTES || consecutiveFailures > 0) {
            handOff(() -> readReply(reply, took, false));
        } else {
            readReply(reply, took, true);
        }
    }

    /** Runs the rest of a fetch on the fetch executor; when it is shut down, the fetch just ends. */
    private void handOff(Runnable rest) {
        try {
            context.executor().execute(rest);
        } catch (RejectedExecutionException e) {
            endQuietly(); // shutting down
        }
    }

    /**
     * Reads and records a reply, or its failure: on the fetch executor, or handed there when the reply was read
     * {@code inline} on gRPC's thread (a failure is logged, and a small invalid reply is one).
     */
    private void readReply(MetricSource.Reply reply, long took, boolean inline) {
        boolean recorded;
        try {
            recorded = recordReply(reply, took);
        } catch (RuntimeException | OutOfMemoryError e) {
            // out of memory: a reply too big for the heap, whose allocations are gone once it unwinds; a
            // failure like any other, so this metric is retried and no thread is left holding it RUNNING
            if (inline) {
                handOff(() -> failedFetch(e, took));
            } else {
                failedFetch(e, took);
            }
            return;
        }
        if (recorded) {
            succeeded(); // inline only after no failures: nothing to log
        }
        ended(true);
    }

    /** Records a reply unless closed; returns whether it was recorded. */
    private boolean recordReply(MetricSource.Reply reply, long took) {
        if (closed) {
            return false;
        }
        Sample sample = reply.toSample(context.clock().instant());
        if (!record(() -> context.cache().recordSuccess(info.key(), sample))) {
            return false;
        }
        events.fetched(ProviderEvents.FetchResult.OK, took);
        return true;
    }

    private void succeeded() {
        context.listener().succeeded();
        if (consecutiveFailures > 0) {
            log.log(Level.INFO, "recovered", "provider \"" + info.provider() + "\": metric " + info.key()
                    + " recovered after " + consecutiveFailures + " failed fetches");
            consecutiveFailures = 0;
        }
    }

    private void failedFetch(Throwable e, long took) {
        String why = Failures.describe(e);
        if (!record(() -> context.cache().recordFailure(info.key(), why))) {
            ended(true); // closed: nothing to retry
            return;
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
        ended(false);
    }

    /**
     * A fetch ended: its permit goes back; after a failure, the metric backs off until the retry; else it is
     * idle, or fetched once more when a trigger came meanwhile (DIRTY), which covers every trigger that did.
     */
    private void ended(boolean ok) {
        context.bulkhead().release();
        if (!ok) {
            backingOff = true; // absorbs triggers from here until the retry
            state.set(IDLE);
            scheduleRetry(consecutiveFailures);
            return;
        }
        if (state.compareAndSet(RUNNING, IDLE)) {
            return;
        }
        state.set(RUNNING); // was DIRTY
        if (closed) {
            state.set(IDLE);
            return;
        }
        fetch();
    }

    /** A fetch ended as the adapter shuts down: its permit goes back, nothing more happens. */
    private void endQuietly() {
        context.bulkhead().release();
        state.set(IDLE);
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
