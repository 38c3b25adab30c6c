package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.logging.RateLimitedLog;
import io.externalmetrics.proto.v1.DescribeRequest;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A provider's Describe calls: one at a time, retried with backoff until the provider answers.
 * {@link #start} supersedes the call in flight and any retry it scheduled (after a reconnect the
 * provider may list other metrics), so only the newest answer is heard.
 *
 * <p>Runs in the provider's {@link SynchronizationContext}: answers are posted there, and an answer
 * to any call but the current one is ignored.
 */
final class DescribeCalls {

    // the runtime's logger: operators find every line about a provider's run time under one name
    private static final System.Logger LOG = System.getLogger(ProviderRuntime.class.getName());

    /** Hears how Describe went; in the context. */
    interface Listener {
        /** The provider answered; a {@link RuntimeException} thrown here is retried like a failed call. */
        void described(DescribeResponse reply);

        /** The provider does not implement Describe: not retried. */
        void unimplemented();

        /** The call failed ({@code why}, as a user reads it); a retry is scheduled. */
        void failing(String why);
    }

    private final String provider;
    private final String target;
    private final MetricProviderGrpc.MetricProviderStub stub;
    private final Duration deadline;
    private final SynchronizationContext sync;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;
    private final Listener listener;
    // a run of failures says so once; a provider that keeps reconnecting and failing, once per interval
    private final RateLimitedLog log;

    // confined to sync
    private Optional<Call> current = Optional.empty();
    private Optional<SynchronizationContext.ScheduledHandle> retry = Optional.empty();

    DescribeCalls(String provider, String target, MetricProviderGrpc.MetricProviderStub stub, Duration deadline,
                  SynchronizationContext sync, ScheduledExecutorService scheduler, LongSupplier ticker, Backoff backoff,
                  Listener listener) {
        this.provider = provider;
        this.target = target;
        this.stub = stub;
        this.deadline = deadline;
        this.sync = sync;
        this.scheduler = scheduler;
        this.backoff = backoff;
        this.listener = listener;
        this.log = new RateLimitedLog(LOG, RateLimitedLog.INTERVAL, ticker);
    }

    /** Calls Describe now, superseding any call in flight or waiting to retry. */
    void start() {
        stop();
        call(0);
    }

    /** Forgets the call in flight and cancels any retry. */
    void stop() {
        sync.throwIfNotInThisSynchronizationContext();
        current = Optional.empty();
        retry.ifPresent(SynchronizationContext.ScheduledHandle::cancel);
        retry = Optional.empty();
    }

    private void call(int attempt) {
        retry = Optional.empty();
        var call = new Call(attempt);
        current = Optional.of(call);
        stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                .describe(DescribeRequest.getDefaultInstance(), call);
    }

    private void answered(Call call, DescribeResponse reply) {
        if (current.orElse(null) != call) {
            return;
        }
        current = Optional.empty();
        try {
            listener.described(reply);
        } catch (RuntimeException e) {
            // a reply we did not foresee, or a bug: retried like a failed call, the stack trace logged once
            if (call.attempt == 0) {
                log.log(Level.ERROR, "reply failed", "provider \"" + provider + "\": applying its Describe reply "
                        + "failed; retrying with backoff", e);
            }
            retry(call.attempt, e);
        }
    }

    private void failed(Call call, Throwable error) {
        if (current.orElse(null) != call) {
            return;
        }
        current = Optional.empty();
        if (Status.fromThrowable(error).getCode() == Status.Code.UNIMPLEMENTED) {
            listener.unimplemented();
            return;
        }
        if (call.attempt == 0) {
            log.log(Level.WARNING, "failed", "provider \"" + provider + "\" at " + target + ": Describe failed ("
                    + Failures.describe(error) + "); retrying");
        }
        retry(call.attempt, error);
    }

    private void retry(int attempt, Throwable failure) {
        listener.failing(Failures.describe(failure));
        retry = Optional.of(sync.schedule(() -> call(attempt + 1), backoff.delay(attempt), scheduler));
    }

    /** One call's answer, posted to the context. */
    private final class Call implements StreamObserver<DescribeResponse> {
        private final int attempt;
        private DescribeResponse reply = DescribeResponse.getDefaultInstance(); // gRPC's callbacks are serialized

        Call(int attempt) {
            this.attempt = attempt;
        }

        @Override
        public void onNext(DescribeResponse value) {
            reply = value;
        }

        @Override
        public void onError(Throwable error) {
            sync.execute(() -> failed(this, error));
        }

        @Override
        public void onCompleted() {
            DescribeResponse answer = reply;
            sync.execute(() -> answered(this, answer));
        }
    }
}
