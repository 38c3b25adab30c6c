package io.externalmetrics.adapter.check;

import io.externalmetrics.adapter.testing.LoopbackGrpc;
import io.externalmetrics.proto.v1.DescribeRequest;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricDescriptor;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.MetricRef;
import io.externalmetrics.proto.v1.Push;
import io.externalmetrics.proto.v1.Series;
import io.externalmetrics.proto.v1.WatchEvent;
import io.externalmetrics.proto.v1.WatchRequest;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A provider on 127.0.0.1 that keeps the contract, unless a test breaks one part of it: Describe lists
 * {@code m} (every 10s, a value and two series) and {@code p} (pushed, a value), both in namespace
 * {@code *}; Fetch of anything else is NOT_FOUND with a message; Watch sends one event per push metric
 * as it opens and stays open.
 */
final class ContractProvider implements AutoCloseable {

    /** How one Fetch answers: a reply, or a thrown {@link StatusRuntimeException}. */
    @FunctionalInterface
    interface Fetch {
        FetchResponse fetch(FetchRequest request) throws InterruptedException;
    }

    static final MetricDescriptor M = MetricDescriptor.newBuilder()
            .setMetric(MetricRef.newBuilder().setNamespace("*").setName("m"))
            .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(10))
            .build();
    static final MetricDescriptor P = MetricDescriptor.newBuilder()
            .setMetric(MetricRef.newBuilder().setNamespace("*").setName("p"))
            .setPush(Push.getDefaultInstance())
            .build();
    static final FetchResponse M_REPLY = FetchResponse.newBuilder()
            .setValue(1)
            .addSeries(Series.newBuilder().putLabels("k", "a").setValue(1))
            .addSeries(Series.newBuilder().putLabels("k", "b").setValue(2))
            .build();

    private Optional<List<MetricDescriptor>> described = Optional.of(List.of(M, P));
    private Fetch fetch = ContractProvider::keep;
    private boolean watchImplemented = true;
    private boolean firstEvents = true;
    private volatile Optional<Status> watchEnd = Optional.empty();
    private Server server;

    /** The contract kept. */
    static FetchResponse keep(FetchRequest request) {
        MetricRef ref = request.getMetric();
        if (ref.getNamespace().equals("*") && ref.getName().equals("m")) {
            return M_REPLY;
        }
        if (ref.getNamespace().equals("*") && ref.getName().equals("p")) {
            return FetchResponse.newBuilder().setValue(3).build();
        }
        throw Status.NOT_FOUND.withDescription("no metric \"" + ref.getName() + "\" in namespace \""
                + ref.getNamespace() + "\" here; this provider serves */m and */p").asRuntimeException();
    }

    /** Describe lists these; none: UNIMPLEMENTED. */
    ContractProvider describing(Optional<List<MetricDescriptor>> metrics) {
        described = metrics;
        return this;
    }

    ContractProvider fetching(Fetch fetch) {
        this.fetch = fetch;
        return this;
    }

    /** Replies to {@code m} in {@code *} changed by {@code change}; the rest as kept. */
    ContractProvider replyingToM(UnaryOperator<FetchResponse.Builder> change) {
        return fetching(request -> request.getMetric().getName().equals("m") && request.getMetric().getNamespace()
                .equals("*") ? change.apply(M_REPLY.toBuilder()).build() : keep(request));
    }

    ContractProvider withoutWatch() {
        watchImplemented = false;
        return this;
    }

    /** Watch ends each stream, with {@code end} (OK: completed), right after its first events. */
    ContractProvider endingWatch(Status end) {
        watchEnd = Optional.of(end);
        return this;
    }

    ContractProvider withoutFirstEvents() {
        firstEvents = false;
        return this;
    }

    ContractProvider start() {
        server = LoopbackGrpc.listen(0, new Service());
        return this;
    }

    String target() {
        return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() {
        LoopbackGrpc.kill(server);
    }

    private final class Service extends MetricProviderGrpc.MetricProviderImplBase {

        @Override
        public void fetch(FetchRequest request, StreamObserver<FetchResponse> responses) {
            try {
                responses.onNext(fetch.fetch(request));
                responses.onCompleted();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                responses.onError(Status.CANCELLED.asRuntimeException());
            } catch (StatusRuntimeException e) {
                responses.onError(e);
            }
        }

        @Override
        public void describe(DescribeRequest request, StreamObserver<DescribeResponse> responses) {
            if (described.isEmpty()) {
                responses.onError(Status.UNIMPLEMENTED.asRuntimeException());
                return;
            }
            responses.onNext(DescribeResponse.newBuilder().addAllMetrics(described.get()).build());
            responses.onCompleted();
        }

        @Override
        public void watch(WatchRequest request, StreamObserver<WatchEvent> events) {
            if (!watchImplemented) {
                events.onError(Status.UNIMPLEMENTED.asRuntimeException());
                return;
            }
            if (firstEvents) {
                for (MetricDescriptor d : described.orElse(List.of())) {
                    if (d.hasPush()) {
                        events.onNext(WatchEvent.newBuilder().setMetric(d.getMetric()).build());
                    }
                }
            }
            watchEnd.ifPresent(end -> {
                if (end.isOk()) {
                    events.onCompleted();
                } else {
                    events.onError(end.asRuntimeException());
                }
            });
            // else stays open until the caller cancels
        }
    }
}
