package io.externalmetrics.adapter.check;

import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.k8s.Durations;
import io.externalmetrics.adapter.provider.ProviderRules;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.WatchEvent;
import io.externalmetrics.proto.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Watch rules: a provider with push metrics implements Watch, keeps the stream open, and sends
 * one event per watched metric as the stream opens. All "should"s: Watch is optional, and the
 * adapter polls push metrics without it.
 */
final class WatchCheck {

    /** How long, after the first events, an end of the stream by the provider is waited for. */
    private static final Duration END_GRACE = Duration.ofMillis(500);

    private final ManagedChannel channel;
    private final Duration watchFor;
    private final List<Finding> findings = new ArrayList<>();

    /**
     * @param channel  to the provider
     * @param watchFor how long to wait for the first events
     */
    WatchCheck(ManagedChannel channel, Duration watchFor) {
        this.channel = channel;
        this.watchFor = watchFor;
    }

    /** Opens Watch for {@code pushed} (the push metrics) and judges the stream; the findings. */
    List<Finding> run(List<MetricKey> pushed) throws InterruptedException {
        if (pushed.isEmpty()) {
            findings.add(Rule.WATCH.passed("Watch", "no push metrics: the adapter does not open Watch"));
            return List.copyOf(findings);
        }
        var stream = new WatchStream(pushed);
        var request = WatchRequest.newBuilder().addAllMetrics(pushed.stream().map(ProviderRules::ref).toList())
                .build();
        MetricProviderGrpc.newStub(channel).watch(request, stream);
        // returns early once every metric had its event, or the stream ended
        long started = System.nanoTime();
        stream.allSeen.await(watchFor.toNanos(), TimeUnit.NANOSECONDS);
        // a provider that sends its first events and then ends the stream: give the end a moment to show
        long left = watchFor.toNanos() - (System.nanoTime() - started);
        stream.endedLatch.await(Math.min(left, END_GRACE.toNanos()), TimeUnit.NANOSECONDS);
        stream.cancel();
        Optional<Status> ended = stream.ended();
        if (ended.isPresent() && ended.get().getCode() == Status.Code.UNIMPLEMENTED) {
            findings.add(Rule.WATCH.broken("Watch", "UNIMPLEMENTED: push metrics " + pushed + " are only polled, "
                    + "on every (re)connect and every third of their max age; implement Watch so that changes reach "
                    + "the HPA at once"));
            return List.copyOf(findings);
        }
        if (ended.isPresent()) {
            findings.add(Rule.WATCH.broken("Watch", "the stream ended within " + Durations.format(watchFor)
                    + " with " + ProviderChecker.describe(ended.get()) + ": keep it open for the life of the provider;"
                    + " the adapter reconnects and fetches every push metric again each time it ends"));
        } else {
            findings.add(Rule.WATCH.passed("Watch", "the stream is open"));
        }
        Set<MetricKey> seen = stream.seen();
        for (MetricKey metric : pushed) {
            if (seen.contains(metric)) {
                findings.add(Rule.WATCH_FIRST_EVENT.passed(metric.toString(), "an event as the stream opened"));
            } else {
                findings.add(Rule.WATCH_FIRST_EVENT.broken(metric.toString(), "no event within "
                        + Durations.format(watchFor) + " of the stream opening: send one per watched metric "
                        + "as a stream opens, since a change before the adapter's stream is registered reaches no "
                        + "stream"));
            }
        }
        return List.copyOf(findings);
    }

    /** One Watch stream: the metrics it announced, and how it ended. */
    private static final class WatchStream implements ClientResponseObserver<WatchRequest, WatchEvent> {
        private final Set<MetricKey> wanted;
        private final ReentrantLock lock = new ReentrantLock();
        private final Set<MetricKey> seen = new LinkedHashSet<>(); // guarded by lock
        private Optional<Status> ended = Optional.empty(); // guarded by lock
        private boolean cancelledByCheck; // guarded by lock
        final CountDownLatch endedLatch = new CountDownLatch(1);
        private volatile ClientCallStreamObserver<WatchRequest> call;
        final CountDownLatch allSeen = new CountDownLatch(1);

        WatchStream(List<MetricKey> wanted) {
            this.wanted = Set.copyOf(wanted);
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(WatchEvent event) {
            lock.lock();
            try {
                seen.add(ProviderRules.key(event.getMetric()));
                if (seen.containsAll(wanted)) {
                    allSeen.countDown();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onError(Throwable t) {
            end(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            end(Status.OK.withDescription("the provider completed the stream"));
        }

        private void end(Status status) {
            lock.lock();
            try {
                if (ended.isEmpty() && !cancelledByCheck) {
                    ended = Optional.of(status);
                }
            } finally {
                lock.unlock();
            }
            allSeen.countDown();
            endedLatch.countDown();
        }

        /** Cancels the stream; its end is no longer the provider's doing. */
        void cancel() {
            lock.lock();
            try {
                cancelledByCheck = ended.isEmpty(); // still open when the check ended: not the provider's end
            } finally {
                lock.unlock();
            }
            call.cancel("check-provider is done watching", null);
        }

        Set<MetricKey> seen() {
            lock.lock();
            try {
                return Set.copyOf(seen);
            } finally {
                lock.unlock();
            }
        }

        /** How the provider ended the stream, if it did before the check cancelled it. */
        Optional<Status> ended() {
            lock.lock();
            try {
                return ended;
            } finally {
                lock.unlock();
            }
        }
    }
}
