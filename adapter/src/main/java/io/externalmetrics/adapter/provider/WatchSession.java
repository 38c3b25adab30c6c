package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.WatchEvent;
import io.externalmetrics.proto.v1.WatchRequest;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * A provider's Watch stream for its push metrics: one stream at a time, reopened with backoff when
 * it ends. The backoff starts over only after a stream stayed up for {@link #stableAfter}: "it
 * delivered an event" is no test, since providers open every stream with one.
 *
 * <p>Every state change runs in the provider's {@link SynchronizationContext}; a stream's end is
 * posted there, and the end of any stream but the current one is ignored. Events go straight to the
 * listener from gRPC's thread: they are the hot path and change no state here (a replaced stream's
 * last events can still arrive, and cost at most a fetch each).
 */
final class WatchSession {

    /**
     * The least time a Watch stream must stay open to count as working and start the backoff over
     * (the provider's retry max when that is longer): so a stream that keeps breaking is reopened
     * no more often than a fully backed-off retry, and whatever the retry settings, such a provider
     * costs a few reconnects a minute and one log line per run of failures.
     */
    static final Duration MIN_STABLE_WATCH = Duration.ofSeconds(30);

    /**
     * Events asked of gRPC at a time (with as many more asked ahead): each ask wakes the transport's
     * thread, so asking for one event after each, as a stream does by default, cost more than the event.
     * An event only triggers a refresher, which never blocks, so a few dozen waiting cost nothing.
     */
    static final int EVENTS_PER_REQUEST = 32;

    // the runtime's logger: operators find every line about a provider's run time under one name
    private static final System.Logger LOG = System.getLogger(ProviderRuntime.class.getName());

    /** Hears what the streams say. */
    interface Listener {
        /** A stream opened: events may have been missed, so every push metric is fetched once. In the context. */
        void opened();

        /** The provider says {@code key} changed. On gRPC's thread; must not block. */
        void changed(MetricKey key);

        /** A stream is opened again after one ended (before {@link #opened}). In the context. */
        default void reconnecting() {
        }
    }

    private final String provider;
    private final MetricProviderGrpc.MetricProviderStub stub;
    private final SynchronizationContext sync;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier ticker;
    private final Backoff backoff;
    private final Duration stableAfter;
    private final Listener listener;

    // confined to sync
    private WatchRequest request = WatchRequest.getDefaultInstance();
    private List<MetricKey> watched = List.of();
    private Stream current;
    private SynchronizationContext.ScheduledHandle reopen;
    private boolean unimplemented;

    /**
     * @param provider  the provider's name, for log lines
     * @param ticker    monotonic nanoseconds, for the stayed-up rule
     * @param backoff   the provider's retry timing
     * @param retryMax  the provider's longest retry wait: a stream counts as up after the longer of it
     *                  and {@link #MIN_STABLE_WATCH}
     */
    WatchSession(String provider, MetricProviderGrpc.MetricProviderStub stub, SynchronizationContext sync,
                 ScheduledExecutorService scheduler, LongSupplier ticker, Backoff backoff, Duration retryMax,
                 Listener listener) {
        this.provider = provider;
        this.stub = stub;
        this.sync = sync;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.backoff = backoff;
        this.stableAfter = stableAfter(retryMax);
        this.listener = listener;
    }

    /** How long a stream must stay open to count as working. */
    Duration stableAfter() {
        return stableAfter;
    }

    /**
     * How long any stream of a provider (Watch, or a KEDA scaler's StreamIsActive) must stay open before
     * its backoff starts over: the longer of the provider's longest retry wait and {@link #MIN_STABLE_WATCH}.
     */
    static Duration stableAfter(Duration retryMax) {
        return retryMax.compareTo(MIN_STABLE_WATCH) > 0 ? retryMax : MIN_STABLE_WATCH;
    }

    /** Watches {@code metrics} from now on: ends any stream and opens a new one, unless there is none to watch. */
    void watch(Collection<MetricKey> metrics) {
        sync.throwIfNotInThisSynchronizationContext();
        stop("metrics changed");
        unimplemented = false;
        watched = List.copyOf(metrics);
        request = WatchRequest.newBuilder()
                .addAllMetrics(metrics.stream()
                        .sorted(Comparator.comparing(MetricKey::namespace).thenComparing(MetricKey::name))
                        .map(Protos::ref)
                        .toList())
                .build();
        if (!metrics.isEmpty()) {
            open(0);
        }
    }

    /** The metrics watched now. */
    List<MetricKey> watched() {
        sync.throwIfNotInThisSynchronizationContext();
        return watched;
    }

    /** Ends the stream and any pending reopen. */
    void stop(String why) {
        sync.throwIfNotInThisSynchronizationContext();
        if (reopen != null) {
            reopen.cancel();
            reopen = null;
        }
        Stream ending = current;
        current = null; // before the cancel: its CANCELLED is then a stale callback
        if (ending != null) {
            ending.cancel(why);
        }
    }

    /** Whether the last stream was answered UNIMPLEMENTED (until the next {@link #watch}). */
    boolean unimplemented() {
        sync.throwIfNotInThisSynchronizationContext();
        return unimplemented;
    }

    /** @param failed how many streams before this one ended without staying up (the backoff's attempt) */
    private void open(int failed) {
        reopen = null;
        if (failed > 0) {
            listener.reconnecting();
        }
        var stream = new Stream(failed, ticker.getAsLong());
        current = stream;
        stub.watch(request, stream);
        if (failed > 0) {
            stream.stableCheck = Optional.of(sync.schedule(() -> reportIfStable(stream), stableAfter, scheduler));
        }
        listener.opened();
    }

    /** A stream ended; {@code error} is empty when the provider completed it. */
    private void ended(Stream stream, Optional<Throwable> error) {
        if (stream != current) {
            return; // replaced or stopped
        }
        current = null;
        stream.stableCheck.ifPresent(SynchronizationContext.ScheduledHandle::cancel);
        if (error.isPresent() && Status.fromThrowable(error.get()).getCode() == Status.Code.UNIMPLEMENTED) {
            LOG.log(Level.INFO, "provider \"{0}\" does not implement Watch: its push metrics are fetched on "
                    + "connect and every third of their max age; Watch is tried again when the provider "
                    + "reconnects", provider);
            unimplemented = true;
            return;
        }
        boolean stayedUp = ticker.getAsLong() - stream.openedAt >= Backoff.nanos(stableAfter);
        int failedBefore = stayedUp ? 0 : stream.failed;
        if (failedBefore == 0) {
            Level level = error.isPresent() ? Level.WARNING : Level.INFO;
            String what = error.isPresent()
                    ? "provider \"" + provider + "\": Watch stream broke (" + Failures.describe(error.get()) + ")"
                    : "provider \"" + provider + "\" ended its Watch stream";
            LOG.log(level, what + "; reconnecting with backoff (until a stream stays up for "
                    + Durations.format(stableAfter) + ", further ends are not logged)");
        }
        reopen = sync.schedule(() -> open(failedBefore + 1), backoff.delay(failedBefore), scheduler);
    }

    /** Says when a stream opened after failures has stayed up: the end of a run of failures. */
    private void reportIfStable(Stream stream) {
        if (stream == current) {
            LOG.log(Level.INFO, "provider \"{0}\": Watch stream up again for {1}, after {2} failed attempts",
                    provider, Durations.format(stableAfter), stream.failed);
        }
    }

    /** One stream's callbacks, posted to the context. */
    private final class Stream implements ClientResponseObserver<WatchRequest, WatchEvent> {

        private final int failed;
        private final long openedAt;
        // set in beforeStart, which runs inside stub.watch, in the context, before any callback
        private ClientCallStreamObserver<WatchRequest> call;
        private int received; // events since the last request; gRPC runs onNext calls one at a time
        private Optional<SynchronizationContext.ScheduledHandle> stableCheck = Optional.empty();

        Stream(int failed, long openedAt) {
            this.failed = failed;
            this.openedAt = openedAt;
        }

        void cancel(String why) {
            stableCheck.ifPresent(SynchronizationContext.ScheduledHandle::cancel);
            if (call != null) {
                call.cancel(why, null);
            }
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchRequest> call) {
            this.call = call;
            call.disableAutoRequestWithInitial(2 * EVENTS_PER_REQUEST);
        }

        @Override
        public void onNext(WatchEvent event) {
            listener.changed(Protos.key(event.getMetric()));
            if (++received == EVENTS_PER_REQUEST) {
                received = 0;
                call.request(EVENTS_PER_REQUEST);
            }
        }

        @Override
        public void onError(Throwable error) {
            sync.execute(() -> ended(this, Optional.of(error)));
        }

        @Override
        public void onCompleted() {
            sync.execute(() -> ended(this, Optional.empty()));
        }
    }
}
