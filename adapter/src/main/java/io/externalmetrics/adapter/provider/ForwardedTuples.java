package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.Failure;
import io.externalmetrics.adapter.cache.Forwarder;
import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.cache.ReadEvents;
import io.externalmetrics.adapter.cache.ReadResult;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.config.UpstreamConfig;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.k8s.ExternalMetricJson;
import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.logging.RateLimitedLog;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The (namespace, metric, selector) tuples one {@code externalMetricsApi} provider follows: the cache
 * of an upstream that computes per tuple. The first read of a tuple fetches it, waiting at most the
 * provider's deadline; from then on it is refreshed every interval on the fetch executor while it is
 * read, answered from memory, and dropped once unread for {@code idleAfter}. At most {@code maxTuples}
 * are followed: a read of a new tuple beyond is refused with a 503 naming the bound; no tuple whose
 * value lists items is evicted for it, so a burst of new selectors cannot churn the ones in use. A tuple
 * that never had a value (refused by the upstream, or failing since its first read) is dropped after a
 * minute unread; it, or one whose last answer listed no items, is evicted, least recently read, to make
 * room for a new tuple. At most {@value #MAX_CONCURRENT_FETCHES} fetches are in flight at once, and
 * tuples first read together are refreshed at spread phases of the interval (see {@link #phase}).
 *
 * <p>Freshness and {@code onError} are the provider's, applied as the cache applies a metric's; an
 * upstream's refusal (a 4xx {@code Status} other than 401, 403, 408 and 429, which are failures) is
 * passed on with its code and message. The adapter's own metrics count each tuple's fetches and policy
 * answers under its (provider, namespace, metric), as for a metric of a native provider, and the
 * provider's state as its connectivity.
 */
final class ForwardedTuples implements Forwarder, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ForwardedTuples.class.getName());
    /** How often the provider's summary (tuples, failures) is published for the inventory. */
    static final Duration SUMMARY_PERIOD = Duration.ofSeconds(1);
    /** A failure that is not the upstream's, as readers see it: its own text stays out of answers. */
    static final String UNEXPECTED = "unexpected error (see the adapter's log)";
    /** How long a tuple that never had a value may go unread (at most idleAfter, at least its interval). */
    static final Duration NEVER_SUCCEEDED_IDLE = Duration.ofMinutes(1);
    /** Most fetches of one provider in flight at once, as for a provider of our own protocol. */
    static final int MAX_CONCURRENT_FETCHES = ProviderRuntime.MAX_CONCURRENT_FETCHES;

    private final ProviderConfig config;
    private final UpstreamConfig upstream;
    private final UpstreamClient client;
    private final Optional<ReloadingTls> tls;
    private final MetricCache cache;
    private final ProviderManager.Environment env;
    private final Map<Tuple, Entry> tuples = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final Semaphore bulkhead = new Semaphore(MAX_CONCURRENT_FETCHES);
    private final RateLimitedLog unexpected;
    private final ScheduledFuture<?> summaries;
    // held while the summary is published and while closing: no summary is published after close
    private final ReentrantLock publishing = new ReentrantLock();
    private volatile boolean closed;
    private volatile ProviderState published;

    /** What is fetched: the selector as Kubernetes prints it, empty for none. */
    record Tuple(String namespace, String metric, String selector) {
    }

    /**
     * What is known of a tuple.
     *
     * @param body        the last good answer, encoded
     * @param succeededAt when it was fetched
     * @param failure     the current run of failed fetches
     * @param refused     the upstream's refusal, when its latest answer was one
     */
    private record TupleState(Optional<byte[]> body, Optional<Instant> succeededAt, Optional<Failure> failure,
                              Optional<ReadResult.Refused> refused) {
        static final TupleState NONE = new TupleState(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());

        boolean answered() {
            return succeededAt.isPresent() || failure.isPresent() || refused.isPresent();
        }
    }

    /** One followed tuple. */
    private static final class Entry {
        final Tuple tuple;
        final MetricInfo info;
        final ProviderEvents.MetricFetches fetches;
        final AtomicReference<TupleState> state = new AtomicReference<>(TupleState.NONE);
        final CompletableFuture<Void> firstAnswer = new CompletableFuture<>();
        volatile Instant lastRead;
        volatile Optional<ScheduledFuture<?>> nextTick = Optional.empty();
        /** Whether the upstream's last list had no items: of no use to an HPA, which reads it as an error. */
        volatile boolean empty;

        Entry(Tuple tuple, MetricInfo info, ProviderEvents events, Instant now) {
            this.tuple = tuple;
            this.info = info;
            this.fetches = events.fetches(info);
            this.lastRead = now;
        }
    }

    ForwardedTuples(ProviderConfig config, UpstreamClient client, Optional<ReloadingTls> tls, MetricCache cache,
                    ProviderManager.Environment env) {
        this.config = config;
        this.upstream = config.upstream().orElseThrow();
        this.client = client;
        this.tls = tls;
        this.cache = cache;
        this.env = env;
        this.unexpected = new RateLimitedLog(LOG, RateLimitedLog.INTERVAL, env.ticker());
        warnIfUnverified();
        // reached from the start: it lists no metrics a read could be waiting for (404 hints name unreached ones)
        this.published = state(ProviderState.Connectivity.IDLE, env.clock().instant(), summary());
        cache.updateProvider(published);
        env.events().connectivity(config.name(), published.connectivity().name());
        this.summaries = env.scheduler().scheduleWithFixedDelay(this::publishSummary, SUMMARY_PERIOD.toNanos(),
                SUMMARY_PERIOD.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** insecureSkipTLSVerify is said loudly: any machine in the path can answer for the upstream. */
    private void warnIfUnverified() {
        if (!upstream.insecureSkipTlsVerify()) {
            return;
        }
        String unverified = "provider \"" + config.name() + "\": insecureSkipTLSVerify: the certificate of "
                + config.target() + " is not checked, so anyone who can intercept the connection can answer "
                + "for the upstream and decide how HPAs scale; set tls.caFile";
        LOG.log(Level.WARNING, upstream.tokenFile()
                .map(file -> unverified + ". The bearer token of tokenFile " + file + " is sent to that unverified "
                        + "peer as well, which can then use it as the adapter's identity")
                .orElse(unverified));
    }

    @Override
    public String provider() {
        return config.name();
    }

    @Override
    public boolean forwards(String metric) {
        if (MetricKey.nameProblem(metric).isPresent()) {
            return false; // not a metric name: the adapter's own 404, and no tuple keyed by 64 KiB of path
        }
        for (String glob : upstream.forward()) {
            if (UpstreamConfig.matches(glob, metric)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public ReadResult read(String namespace, String metric, Optional<LabelSelector> selector, ReadEvents events) {
        Tuple tuple = tuple(namespace, metric, selector);
        Instant now = env.clock().instant();
        Entry entry = tuples.get(tuple);
        if (entry == null) {
            if (closed) {
                return new ReadResult.Unavailable(name() + " is stopping");
            }
            if (count.get() >= upstream.maxTuples()) {
                evictOneNeverSucceeded();
            }
            entry = tuples.computeIfAbsent(tuple, t -> {
                if (count.incrementAndGet() > upstream.maxTuples()) {
                    count.decrementAndGet();
                    return null;
                }
                Entry fresh = new Entry(t, info(t), env.events(), now);
                fetchLater(fresh, Duration.ZERO);
                return fresh;
            });
            if (entry == null) {
                return new ReadResult.Unavailable(name() + " already follows " + upstream.maxTuples()
                        + " (namespace, metric, selector) tuples, its maxTuples; a new one is followed once others "
                        + "go unread for " + Durations.format(upstream.idleAfter()));
            }
        }
        entry.lastRead = now;
        if (!entry.state.get().answered()) {
            try {
                entry.firstAnswer.get(config.deadline().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // answered below from what is known: nothing yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        TupleState state = entry.state.get();
        if (closed && !state.answered()) {
            return new ReadResult.Unavailable(name() + " is stopping");
        }
        return answer(entry, state, env.clock().instant(), events);
    }

    @Override
    public ReadResult peek(String namespace, String metric, Optional<LabelSelector> selector) {
        Entry entry = tuples.get(tuple(namespace, metric, selector));
        if (entry == null) {
            return new ReadResult.Unavailable(name() + " does not follow this tuple yet: the first read fetches it "
                    + "from " + config.target() + ", waiting at most " + Durations.format(config.deadline()));
        }
        return answer(entry, entry.state.get(), env.clock().instant(), ReadEvents.NONE); // not the HPA reading
    }

    /** A tuple's metric as the adapter's own metrics label it: the provider's settings, the tuple's name. */
    private MetricInfo info(Tuple tuple) {
        return new MetricInfo(new MetricKey(tuple.namespace(), tuple.metric()), config.name(),
                new TriggerSpec.Interval(upstream.interval()), upstream.maxAge(), upstream.onError());
    }

    @Override
    public List<Followed> followed(Instant now) {
        Map<MetricKey, Followed> byName = new LinkedHashMap<>();
        for (Entry entry : tuples.values()) {
            Optional<Duration> age = entry.state.get().succeededAt().map(at -> Duration.between(at, now));
            byName.merge(entry.info.key(), new Followed(entry.info, age), (one, other) -> new Followed(one.info(),
                    older(one.oldestAge(), other.oldestAge())));
        }
        return new ArrayList<>(byName.values());
    }

    private static Optional<Duration> older(Optional<Duration> one, Optional<Duration> other) {
        if (one.isEmpty() || other.isEmpty()) {
            return one.isEmpty() ? other : one;
        }
        return one.get().compareTo(other.get()) >= 0 ? one : other;
    }

    private static Tuple tuple(String namespace, String metric, Optional<LabelSelector> selector) {
        return new Tuple(namespace, metric, selector.filter(s -> !s.isEmpty()).map(LabelSelector::toString)
                .orElse(""));
    }

    /**
     * A read's answer from one state of a tuple: as the cache answers for a metric of its own, telling
     * {@code events} how a policy answered.
     */
    private ReadResult answer(Entry entry, TupleState state, Instant now, ReadEvents events) {
        if (state.refused().isPresent()) {
            ReadResult.Refused refused = state.refused().get();
            return refused.code() == 404 ? new ReadResult.NotFound(refused.why()) : refused;
        }
        if (isWithin(state, upstream.maxAge(), now)) {
            return new ReadResult.Found(state.body().orElseThrow());
        }
        return OnErrorPolicy.answerStale(entry.info, now, bound -> isWithin(state, bound, now),
                () -> state.body().orElseThrow(), () -> whyNotFresh(state, now), events);
    }

    private static boolean isWithin(TupleState state, Duration bound, Instant now) {
        return state.succeededAt().isPresent() && !now.isAfter(state.succeededAt().get().plus(bound));
    }

    private String whyNotFresh(TupleState state, Instant now) {
        Optional<Duration> age = state.succeededAt().map(at -> Duration.between(at, now));
        return MetricCache.whyNotFresh(config.name(), state.failure(), age.isPresent(), age, false,
                upstream.maxAge());
    }

    private String name() {
        return "provider \"" + config.name() + "\"";
    }

    /** Fetches {@code entry} after {@code delay} on the fetch executor, unless it went idle or this stopped. */
    private void fetchLater(Entry entry, Duration delay) {
        try {
            if (delay.isZero()) {
                env.fetchExecutor().execute(() -> fetch(entry));
            } else {
                entry.nextTick = Optional.of(env.scheduler().schedule(() -> tick(entry), delay.toNanos(),
                        TimeUnit.NANOSECONDS));
            }
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    /**
     * Makes room for a new tuple at maxTuples: drops the least recently read tuple that was answered but
     * never with a value (refused, or failing since it was first read) or whose last answer listed no
     * items (which an HPA reads as an error), if any. Readers of names the upstream refuses, of selectors
     * it matches nothing for, or of an upstream that never answered, cannot keep new HPAs out for idleAfter.
     */
    private void evictOneNeverSucceeded() {
        Entry oldest = null;
        for (Entry candidate : tuples.values()) {
            TupleState state = candidate.state.get();
            boolean useless = state.succeededAt().isEmpty() && state.answered() || candidate.empty;
            if (useless && (oldest == null || candidate.lastRead.isBefore(oldest.lastRead))) {
                oldest = candidate;
            }
        }
        if (oldest != null && tuples.remove(oldest.tuple, oldest)) {
            count.decrementAndGet();
        }
    }

    /**
     * How long a tuple may go unread: idleAfter, or for one that never had a value at most
     * {@link #NEVER_SUCCEEDED_IDLE} (or its interval, if longer).
     */
    private Duration idleAfter(TupleState state) {
        if (state.succeededAt().isPresent()) {
            return upstream.idleAfter();
        }
        Duration shortIdle = upstream.interval().compareTo(NEVER_SUCCEEDED_IDLE) > 0 ? upstream.interval()
                : NEVER_SUCCEEDED_IDLE;
        return shortIdle.compareTo(upstream.idleAfter()) < 0 ? shortIdle : upstream.idleAfter();
    }

    /** An interval has passed: refetch the tuple, or drop it when nobody read it for its idle time. */
    private void tick(Entry entry) {
        if (closed || tuples.get(entry.tuple) != entry) {
            return;
        }
        Duration unread = Duration.between(entry.lastRead, env.clock().instant());
        if (unread.compareTo(idleAfter(entry.state.get())) >= 0) {
            if (tuples.remove(entry.tuple, entry)) {
                count.decrementAndGet();
            }
            return;
        }
        fetchLater(entry, Duration.ZERO);
    }

    private void fetch(Entry entry) {
        if (closed) {
            entry.firstAnswer.complete(null); // a waiting reader answers now, not at its deadline
            return;
        }
        try {
            bulkhead.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            entry.firstAnswer.complete(null);
            return;
        }
        try {
            if (closed) {
                entry.firstAnswer.complete(null);
                return;
            }
            fetchHoldingPermit(entry);
        } finally {
            bulkhead.release();
        }
    }

    private void fetchHoldingPermit(Entry entry) {
        boolean first = !entry.firstAnswer.isDone();
        Tuple t = entry.tuple;
        long started = env.ticker().getAsLong();
        ProviderEvents.FetchResult result = ProviderEvents.FetchResult.ERROR;
        entry.fetches.started();
        try {
            UpstreamClient.Answer answer = client.fetch(t.namespace(), t.metric(), t.selector());
            Instant at = env.clock().instant();
            switch (answer) {
                case UpstreamClient.Answer.Items items -> {
                    entry.empty = items.items().isEmpty();
                    entry.state.set(new TupleState(Optional.of(ExternalMetricJson.list(items.items())),
                            Optional.of(at), Optional.empty(), Optional.empty()));
                    result = ProviderEvents.FetchResult.OK;
                }
                case UpstreamClient.Answer.Refused refused -> entry.state.updateAndGet(s -> new TupleState(
                        s.body(), s.succeededAt(), Optional.empty(), Optional.of(new ReadResult.Refused(
                                refused.code(), name() + ": upstream answered " + refused.code() + ": "
                                        + refused.message()))));
            }
        } catch (RuntimeException e) {
            Instant at = env.clock().instant();
            String message;
            if (e instanceof UpstreamClient.UpstreamException upstreamException) {
                message = e.getMessage();
                result = upstreamException.invalid() ? ProviderEvents.FetchResult.INVALID
                        : ProviderEvents.FetchResult.ERROR;
            } else {
                // its message may carry a secret (the JDK quotes a refused header's value): neither on the
                // wire nor in the log, only its class and where it was thrown
                // once per interval for all tuples: every refresh of every tuple may fail alike
                message = UNEXPECTED;
                String where = e.getClass().getName() + Optional.ofNullable(e.getStackTrace().length > 0
                        ? e.getStackTrace()[0] : null).map(frame -> " at " + frame).orElse("");
                unexpected.log(Level.WARNING, where, "provider \"" + config.name() + "\": fetching " + t
                        + " failed: " + where);
            }
            entry.state.updateAndGet(s -> new TupleState(s.body(), s.succeededAt(), Optional.of(s.failure()
                    .map(f -> new Failure(message, f.since(), at, f.count() + 1))
                    .orElseGet(() -> new Failure(message, at, at, 1))), Optional.empty()));
        } finally {
            entry.fetches.ended();
            entry.fetches.fetched(result, env.ticker().getAsLong() - started);
            entry.firstAnswer.complete(null);
            fetchLater(entry, first ? phase(t, upstream.interval()) : upstream.interval());
        }
    }

    /**
     * How long after its first fetch a tuple is first refreshed: {@code (0, interval)}, the same for the
     * same tuple. Tuples first read together (every HPA of a controller restart) would otherwise be
     * refreshed in the same instant of every interval; as {@link Reconciler#phase} spreads metrics.
     */
    static Duration phase(Tuple tuple, Duration interval) {
        double fraction = ((tuple.hashCode() * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53; // [0, 1)
        return Duration.ofNanos(1 + (long) (fraction * (interval.toNanos() - 1)));
    }

    /** The provider's summary for the inventory, status page and explain: tuples, failures, the last error. */
    private String summary() {
        int failing = 0;
        int refused = 0;
        Optional<String> lastError = Optional.empty();
        Instant now = env.clock().instant();
        Optional<Duration> oldest = Optional.empty();
        for (Entry entry : tuples.values()) {
            TupleState state = entry.state.get();
            if (state.refused().isPresent()) {
                refused++;
            } else if (state.failure().isPresent()) {
                failing++;
                lastError = Optional.of(state.failure().get().message());
            }
            oldest = older(oldest, state.succeededAt().map(at -> Duration.between(at, now)));
        }
        int size = tuples.size();
        return "forwards " + String.join(", ", upstream.forward()) + "; follows " + size
                + (size == 1 ? " tuple" : " tuples") + " (maxTuples " + upstream.maxTuples() + ", refreshed every "
                + Durations.format(upstream.interval()) + ", dropped after " + Durations.format(upstream.idleAfter())
                + " unread)" + oldest.map(age -> ", oldest value " + MetricCache.formatAge(age) + " old").orElse("")
                + ", " + failing + " failing, " + refused + " refused by the upstream"
                + lastError.map(e -> "; last error: " + e).orElse("");
    }

    private void publishSummary() {
        publishing.lock();
        try {
            if (!closed) {
                publishSummaryLocked();
            }
        } finally {
            publishing.unlock();
        }
    }

    private void publishSummaryLocked() {
        boolean anyFailing = false;
        boolean anyAnswered = false;
        for (Entry entry : tuples.values()) {
            TupleState state = entry.state.get();
            anyAnswered |= state.succeededAt().isPresent() || state.refused().isPresent();
            anyFailing |= state.failure().isPresent();
        }
        ProviderState.Connectivity connectivity = anyFailing ? ProviderState.Connectivity.TRANSIENT_FAILURE
                : anyAnswered ? ProviderState.Connectivity.READY : ProviderState.Connectivity.IDLE;
        String summary = summary();
        if (summary.equals(published.describe()) && connectivity == published.connectivity()) {
            return;
        }
        Instant since = connectivity == published.connectivity() ? published.since() : env.clock().instant();
        published = state(connectivity, since, summary);
        cache.updateProvider(published);
        env.events().connectivity(config.name(), connectivity.name());
    }

    private ProviderState state(ProviderState.Connectivity connectivity, Instant since, String describe) {
        return new ProviderState(config.name(), config.target(), true, describe, connectivity, since);
    }

    /**
     * Stops refreshing, forgets every tuple and the provider's state. A summary being published is
     * waited for, so it cannot put the provider back into the inventory; readers waiting for a first
     * answer answer at once.
     */
    @Override
    public void close() {
        publishing.lock();
        try {
            closed = true;
        } finally {
            publishing.unlock();
        }
        summaries.cancel(false);
        for (Entry entry : tuples.values()) {
            entry.nextTick.ifPresent(tick -> tick.cancel(false));
            entry.firstAnswer.complete(null);
        }
        tuples.clear();
        tls.ifPresent(ReloadingTls::close);
        client.close();
        cache.removeProvider(config.name());
    }
}
