package io.externalmetrics.provider.testing;

import io.externalmetrics.proto.v1.WatchEvent;
import io.externalmetrics.proto.v1.WatchRequest;
import io.externalmetrics.provider.MetricKey;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.testing.StreamRecorder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The events of one Watch stream opened by {@link ProviderTester#watch}, recorded as they arrive
 * (by grpc-testing's {@link StreamRecorder}), each as the {@link MetricKey} of the metric that
 * changed.
 *
 * <pre>{@code
 * try (WatchRecording events = tester.watch()) {
 *     events.awaitEvents(1);          // the SDK's opening event per push metric
 *     queueChanged.fire();
 *     assertThat(events.awaitEvents(2)).last().isEqualTo(MetricKey.forAllNamespaces("queue-depth"));
 * }
 * }</pre>
 *
 * <p>{@link #close()} cancels the stream, as the adapter does when it disconnects. Thread-safe.
 */
public final class WatchRecording implements AutoCloseable {

    // grpc-testing marks its StreamRecorder deprecated ("not for public use") with no public successor;
    // the project's design names it for this, and it is kept behind this class's own API.
    @SuppressWarnings("deprecation")
    private final StreamRecorder<WatchEvent> recorder = StreamRecorder.create();
    private final Runnable onEnd;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private ClientCallStreamObserver<WatchRequest> call; // guarded by lock; set when the call starts
    private boolean ended; // guarded by lock

    WatchRecording(Runnable onEnd) {
        this.onEnd = onEnd;
    }

    /**
     * The events received so far, oldest first.
     *
     * @return one metric per event
     */
    public List<MetricKey> events() {
        return List.copyOf(recorder.getValues()).stream()
                .map(event -> new MetricKey(event.getMetric().getNamespace(), event.getMetric().getName()))
                .toList();
    }

    /**
     * Waits, up to {@link ProviderTester#DEFAULT_TIMEOUT}, until at least {@code count} events have
     * arrived.
     *
     * @param count how many events, counted from the stream's start
     * @return every event received so far, oldest first
     * @throws AssertionError if fewer arrived in time, or the stream ended first; the message lists
     *     what did arrive and how the stream ended
     */
    public List<MetricKey> awaitEvents(int count) {
        return awaitEvents(count, ProviderTester.DEFAULT_TIMEOUT);
    }

    /**
     * Waits until at least {@code count} events have arrived.
     *
     * @param count how many events, counted from the stream's start
     * @param timeout how long to wait
     * @return every event received so far, oldest first
     * @throws AssertionError if fewer arrived in time, or the stream ended first
     */
    public List<MetricKey> awaitEvents(int count, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (recorder.getValues().size() < count && !ended && left > 0) {
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        List<MetricKey> events = events();
        if (events.size() < count) {
            throw new AssertionError("expected " + count + " Watch events, got " + events.size() + " " + events
                    + end().map(status -> "; the stream ended: " + status).orElse(" within " + timeout));
        }
        return events;
    }

    /**
     * Waits, up to {@link ProviderTester#DEFAULT_TIMEOUT}, for the provider to end the stream, e.g.
     * when it is closed.
     *
     * @return how it ended: {@link Status#OK} when the provider completed it, else its error
     * @throws AssertionError if it did not end in time
     */
    public Status awaitEnd() {
        return awaitEnd(ProviderTester.DEFAULT_TIMEOUT);
    }

    /**
     * Waits for the provider to end the stream.
     *
     * @param timeout how long to wait
     * @return how it ended: {@link Status#OK} when the provider completed it, else its error
     * @throws AssertionError if it did not end in time
     */
    public Status awaitEnd(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        long left = timeout.toNanos();
        lock.lock();
        try {
            // our own flag, set after the recorder saw the end: the recorder's latch opens before that
            while (!ended && left > 0) {
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        return end().orElseThrow(() -> new AssertionError("the Watch stream did not end within "
                + timeout + "; events so far: " + events()));
    }

    /**
     * How the stream ended, if it has.
     *
     * @return {@link Status#OK} if the provider completed it, its error status if it failed, empty while
     *     it is open
     */
    public Optional<Status> end() {
        lock.lock();
        try {
            if (!ended) {
                return Optional.empty();
            }
        } finally {
            lock.unlock();
        }
        Throwable error = recorder.getError();
        return Optional.of(error == null ? Status.OK : Status.fromThrowable(error));
    }

    /** Cancels the stream, if still open; the provider sees the caller go away. Idempotent. */
    @Override
    public void close() {
        ClientCallStreamObserver<WatchRequest> toCancel;
        lock.lock();
        try {
            toCancel = ended ? null : call;
        } finally {
            lock.unlock();
        }
        if (toCancel != null) {
            toCancel.cancel("the test closed the Watch stream", null);
        }
    }

    ClientResponseObserver<WatchRequest, WatchEvent> observer() {
        return new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
                lock.lock();
                try {
                    call = requestStream;
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void onNext(WatchEvent event) {
                recorder.onNext(event);
                signal(false);
            }

            @Override
            public void onError(Throwable error) {
                recorder.onError(error);
                signal(true);
            }

            @Override
            public void onCompleted() {
                recorder.onCompleted();
                signal(true);
            }
        };
    }

    private void signal(boolean end) {
        lock.lock();
        try {
            ended |= end;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (end) {
            onEnd.run();
        }
    }
}
