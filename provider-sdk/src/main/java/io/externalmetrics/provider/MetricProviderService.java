package io.externalmetrics.provider;

import io.externalmetrics.proto.v1.DescribeRequest;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.WatchEvent;
import io.externalmetrics.proto.v1.WatchRequest;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The MetricProvider gRPC service over the registered metrics: the one implementation behind both
 * {@link MetricProviderServer#start()} and {@link MetricProviderServer#bindableService()}.
 */
final class MetricProviderService extends MetricProviderGrpc.MetricProviderImplBase {

    private static final System.Logger LOG = System.getLogger(MetricProviderService.class.getName());
    private static final int MAX_LISTED_IN_ERRORS = 20;

    private final Map<MetricKey, Registration> metrics; // registration order
    private final Executor executor;
    private final Clock clock;
    private final DescribeResponse description;
    private final WatchHub hub = new WatchHub();
    private final Map<MetricKey, WatchEvent> pushEvents; // one per event-triggered metric
    private final List<Runnable> detachments = new ArrayList<>();

    MetricProviderService(List<Registration> registrations, Executor executor, Clock clock) {
        var byKey = new LinkedHashMap<MetricKey, Registration>();
        var description = DescribeResponse.newBuilder();
        for (Registration registration : registrations) {
            byKey.put(registration.key(), registration);
            description.addMetrics(ProtoMapping.toDescriptor(registration));
        }
        this.metrics = Collections.unmodifiableMap(byKey);
        this.executor = executor;
        this.clock = clock;
        this.description = description.build();
        var pushEvents = new LinkedHashMap<MetricKey, WatchEvent>();
        for (Registration registration : registrations) {
            if (registration.trigger() instanceof EventTrigger trigger) {
                MetricKey key = registration.key();
                WatchEvent event = WatchEvent.newBuilder().setMetric(key.toProto()).build();
                pushEvents.put(key, event);
                Runnable listener = () -> hub.publish(key, event);
                trigger.attach(listener);
                detachments.add(() -> trigger.detach(listener));
            }
        }
        this.pushEvents = Collections.unmodifiableMap(pushEvents);
    }

    @Override
    public void fetch(FetchRequest request, StreamObserver<FetchResponse> responseObserver) {
        var call = (ServerCallStreamObserver<FetchResponse>) responseObserver;
        if (!request.hasMetric()) {
            call.onError(Status.INVALID_ARGUMENT
                    .withDescription("FetchRequest.metric is required").asRuntimeException());
            return;
        }
        MetricKey key = MetricKey.of(request.getMetric());
        Registration registration = metrics.get(key);
        if (registration == null) {
            call.onError(Status.NOT_FOUND.withDescription(notFound(key)).asRuntimeException());
            return;
        }
        Deadline deadline = Context.current().getDeadline();
        MetricRequest metricRequest = deadline == null
                ? MetricRequest.of(key.namespace(), key.name())
                : MetricRequest.of(key.namespace(), key.name(),
                        Instant.now().plusNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS)));
        var task = new FetchTask(registration, metricRequest, clock, call);
        // Deadline passed or caller gone: gRPC answers DEADLINE_EXCEEDED / CANCELLED itself; we
        // interrupt the function so it stops working for nobody.
        call.setOnCancelHandler(() -> task.cancel(true));
        try {
            // The call's Context goes along, so gRPC calls the function makes inherit the deadline.
            executor.execute(Context.current().wrap(task));
        } catch (RejectedExecutionException e) {
            call.onError(Status.UNAVAILABLE
                    .withDescription("provider is shutting down; " + key + " was not fetched")
                    .asRuntimeException());
        }
    }

    @Override
    public void describe(DescribeRequest request, StreamObserver<DescribeResponse> responseObserver) {
        responseObserver.onNext(description);
        responseObserver.onCompleted();
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<WatchEvent> responseObserver) {
        var call = (ServerCallStreamObserver<WatchEvent>) responseObserver;
        // Unknown or interval metrics in the request are tolerated, not refused: they simply never
        // get events, and the stream keeps serving the others.
        var wanted = request.getMetricsList().stream()
                .map(MetricKey::of)
                .collect(Collectors.toUnmodifiableSet());
        var watcher = new Watcher(call, wanted);
        call.setOnCancelHandler(() -> hub.remove(watcher));
        call.setOnReadyHandler(watcher::drain);
        hub.add(watcher);
        // One event per watched metric as the stream opens: the adapter fetches when it connects,
        // but a change fired between that fetch and this registration would reach no stream.
        // An extra event costs one fetch; a missed one leaves a value stale until the next change.
        pushEvents.forEach((key, event) -> {
            if (watcher.wants(key)) {
                watcher.offer(event);
            }
        });
    }

    /** Stops event delivery and completes every Watch stream. */
    void close() {
        detachments.forEach(Runnable::run);
        hub.closeAll();
    }

    /** Open Watch streams; for tests that must wait until a stream is registered. */
    int watchers() {
        return hub.size();
    }

    /** Events waiting on slow Watch streams; for tests. */
    int pendingEvents() {
        return hub.pendingEvents();
    }

    private String notFound(MetricKey key) {
        var message = new StringBuilder("no ").append(key).append(" on this provider");
        var sameNameForAll = new MetricKey(Namespace.ALL, key.name());
        if (!key.namespace().equals(Namespace.ALL) && metrics.containsKey(sameNameForAll)) {
            return message.append("; it is registered for all namespaces: fetch it with namespace"
                    + " \"*\"").toString();
        }
        if (metrics.isEmpty()) {
            return message.append("; it serves no metrics").toString();
        }
        message.append("; it serves ");
        message.append(metrics.keySet().stream()
                .limit(MAX_LISTED_IN_ERRORS)
                .map(k -> Labels.quote(k.name()) + " in " + Labels.quote(k.namespace()))
                .collect(Collectors.joining(", ")));
        if (metrics.size() > MAX_LISTED_IN_ERRORS) {
            message.append(" and ").append(metrics.size() - MAX_LISTED_IN_ERRORS).append(" more");
        }
        return message.toString();
    }

    /** Runs a metric function on the executor and answers the call, unless the caller gave up. */
    private static final class FetchTask extends FutureTask<Value> {

        private final Registration registration;
        private final ServerCallStreamObserver<FetchResponse> call;

        FetchTask(Registration registration, MetricRequest request, Clock clock,
                ServerCallStreamObserver<FetchResponse> call) {
            super(() -> observed(registration.function().fetch(request), clock));
            this.registration = registration;
            this.call = call;
        }

        @Override
        protected void done() {
            if (isCancelled() || call.isCancelled()) {
                return; // gRPC has already answered the caller
            }
            try {
                Value value = get(); // done: does not block
                if (value == null) {
                    call.onError(Status.INTERNAL
                            .withDescription("the function of " + registration.key()
                                    + " returned null; return a Value (Value.empty() for none)")
                            .asRuntimeException());
                    return;
                }
                call.onNext(ProtoMapping.toResponse(value));
                call.onCompleted();
            } catch (ExecutionException e) {
                call.onError(failure(registration.key(), e.getCause()));
            } catch (InterruptedException | RuntimeException e) {
                // Cancelled between the check and the answer: nobody is listening any more.
                LOG.log(Level.DEBUG, () -> "could not answer fetch of " + registration.key(), e);
            }
        }
    }

    /**
     * The value with its observation time: the one the function set, else now, the moment the
     * function returned (the design's "default: now"). Stamped here rather than left to the adapter's
     * time of receipt, so the adapter's freshness by observation covers every SDK provider and a reply
     * that took long to arrive does not look newer than it is.
     */
    static Value observed(Value value, Clock clock) {
        if (value == null || value.observedAt().isPresent()) {
            return value;
        }
        return value.observedAt(clock.instant());
    }

    /** A metric function's failure as the status the adapter shows to the user of the HPA. */
    static StatusRuntimeException failure(MetricKey key, Throwable error) {
        if (error instanceof StatusRuntimeException || error instanceof StatusException) {
            // The author chose a status (e.g. UNAVAILABLE for a backend down): keep its code.
            Status status = Status.fromThrowable(error);
            LOG.log(Level.DEBUG, () -> key + " failed: " + status);
            return status.withDescription(key + " failed: "
                    + (status.getDescription() == null ? status.getCode() : status.getDescription()))
                    .asRuntimeException();
        }
        LOG.log(Level.WARNING, key + " failed", error);
        return Status.UNKNOWN.withDescription(key + " failed: " + error).withCause(error)
                .asRuntimeException();
    }
}
