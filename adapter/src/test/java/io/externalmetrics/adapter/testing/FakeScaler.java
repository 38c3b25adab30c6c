package io.externalmetrics.adapter.testing;

import io.externalmetrics.proto.keda.ExternalScalerGrpc;
import io.externalmetrics.proto.keda.GetMetricSpecResponse;
import io.externalmetrics.proto.keda.GetMetricsRequest;
import io.externalmetrics.proto.keda.GetMetricsResponse;
import io.externalmetrics.proto.keda.IsActiveResponse;
import io.externalmetrics.proto.keda.MetricSpec;
import io.externalmetrics.proto.keda.MetricValue;
import io.externalmetrics.proto.keda.ScaledObjectRef;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A KEDA external scaler in Java, on 127.0.0.1, built from KEDA's {@code externalscaler.proto}:
 * canned specs, per-metric GetMetrics behaviors (values, failures, hangs), StreamIsActive on or
 * off, and counts of what it was asked, for tests of {@code protocol: kedaExternalScaler}.
 */
public final class FakeScaler implements AutoCloseable {

    /** How one scaler metric answers GetMetrics: a reply, or a thrown {@link io.grpc.StatusRuntimeException}. */
    @FunctionalInterface
    public interface Behavior {
        GetMetricsResponse getMetrics(GetMetricsRequest request) throws InterruptedException;
    }

    private final Map<String, Behavior> behaviors = new ConcurrentHashMap<>();
    private final AtomicReference<List<MetricSpec>> specs = new AtomicReference<>(List.of());
    // each open StreamIsActive stream, with the name of the scaledObjectRef it was opened for
    private final Map<ServerCallStreamObserver<IsActiveResponse>, String> streams = new ConcurrentHashMap<>();
    private final Map<String, GetMetricsRequest> lastRequests = new ConcurrentHashMap<>();
    private final AtomicInteger specCalls = new AtomicInteger();
    private final Map<String, AtomicInteger> specCallsByRef = new ConcurrentHashMap<>();
    private final Map<String, Boolean> refusedRefs = new ConcurrentHashMap<>();
    private final AtomicInteger getMetricsCalls = new AtomicInteger();
    private final AtomicInteger streamCalls = new AtomicInteger();
    private volatile boolean streamsImplemented = true;
    private volatile Server server;
    private volatile int port;

    /** Starts on 127.0.0.1 at {@code port} (0: a free one). */
    public static FakeScaler start(int port) {
        var scaler = new FakeScaler();
        scaler.listen(port);
        return scaler;
    }

    private void listen(int port) {
        server = LoopbackGrpc.listen(port, new Service());
        this.port = server.getPort();
    }

    /** Starts again after {@link #close} on the same port, with the same behaviors, as a restarted scaler. */
    public FakeScaler restart() {
        listen(port);
        return this;
    }

    public int port() {
        return port;
    }

    /** What GetMetricSpec lists, for every ScaledObjectRef. */
    public FakeScaler specs(MetricSpec... list) {
        specs.set(List.of(list));
        return this;
    }

    /** A spec with a whole target. */
    public static MetricSpec spec(String metricName, long targetSize) {
        return MetricSpec.newBuilder().setMetricName(metricName).setTargetSize(targetSize).build();
    }

    /** Sets how GetMetrics of {@code metricName} answers. */
    public FakeScaler metric(String metricName, Behavior behavior) {
        behaviors.put(metricName, behavior);
        return this;
    }

    /** A constant value, as KEDA's fields carry it: {@code metricValue} and {@code metricValueFloat}. */
    public FakeScaler value(String metricName, long metricValue, double metricValueFloat) {
        return metric(metricName, request -> GetMetricsResponse.newBuilder().addMetricValues(MetricValue.newBuilder()
                .setMetricName(metricName).setMetricValue(metricValue).setMetricValueFloat(metricValueFloat))
                .build());
    }

    /** Whether StreamIsActive is implemented (else UNIMPLEMENTED, as a scaler without it answers). */
    public FakeScaler streamsImplemented(boolean implemented) {
        streamsImplemented = implemented;
        return this;
    }

    /** Sends an IsActiveResponse on every open StreamIsActive stream. */
    public void activityChanged(boolean active) {
        send(active, refName -> true);
    }

    /** Sends an IsActiveResponse on the open StreamIsActive streams of the scaledObjectRef named {@code refName}. */
    public void activityChanged(String refName, boolean active) {
        send(active, refName::equals);
    }

    private void send(boolean active, Predicate<String> refNames) {
        IsActiveResponse response = IsActiveResponse.newBuilder().setResult(active).build();
        for (var entry : streams.entrySet()) {
            if (!refNames.test(entry.getValue())) {
                continue;
            }
            ServerCallStreamObserver<IsActiveResponse> stream = entry.getKey();
            synchronized (stream) {
                if (!stream.isCancelled()) {
                    stream.onNext(response);
                }
            }
        }
    }

    /** The last GetMetrics request for {@code metricName}, if any. */
    public Optional<GetMetricsRequest> lastRequest(String metricName) {
        return Optional.ofNullable(lastRequests.get(metricName));
    }

    public int openStreams() {
        return streams.size();
    }

    /** Open StreamIsActive streams of the scaledObjectRef named {@code refName}. */
    public int openStreams(String refName) {
        return (int) streams.values().stream().filter(refName::equals).count();
    }

    /** StreamIsActive calls, answered or not. */
    public int streamCalls() {
        return streamCalls.get();
    }

    public int specCalls() {
        return specCalls.get();
    }

    /** GetMetricSpec calls for the scaledObjectRef named {@code refName}. */
    public int specCalls(String refName) {
        AtomicInteger calls = specCallsByRef.get(refName);
        return calls == null ? 0 : calls.get();
    }

    /** GetMetricSpec of the scaledObjectRef named {@code refName} answers INVALID_ARGUMENT (false: its specs). */
    public FakeScaler refuseSpecOf(String refName, boolean refuse) {
        refusedRefs.put(refName, refuse);
        return this;
    }

    public int getMetricsCalls() {
        return getMetricsCalls.get();
    }

    /** Kills the server at once, as a crash would (the port is free again when this returns). */
    @Override
    public void close() {
        streams.clear();
        LoopbackGrpc.kill(server);
    }

    private final class Service extends ExternalScalerGrpc.ExternalScalerImplBase {

        @Override
        public void isActive(ScaledObjectRef request, StreamObserver<IsActiveResponse> responses) {
            responses.onNext(IsActiveResponse.newBuilder().setResult(true).build());
            responses.onCompleted();
        }

        @Override
        public void streamIsActive(ScaledObjectRef request, StreamObserver<IsActiveResponse> responses) {
            streamCalls.incrementAndGet();
            if (!streamsImplemented) {
                responses.onError(Status.UNIMPLEMENTED.asRuntimeException());
                return;
            }
            var stream = (ServerCallStreamObserver<IsActiveResponse>) responses;
            stream.setOnCancelHandler(() -> streams.remove(stream));
            streams.put(stream, request.getName());
        }

        @Override
        public void getMetricSpec(ScaledObjectRef request, StreamObserver<GetMetricSpecResponse> responses) {
            specCalls.incrementAndGet();
            specCallsByRef.computeIfAbsent(request.getName(), name -> new AtomicInteger()).incrementAndGet();
            if (refusedRefs.getOrDefault(request.getName(), false)) {
                responses.onError(Status.INVALID_ARGUMENT.withDescription("no queueName in the metadata of "
                        + request.getName()).asRuntimeException());
                return;
            }
            responses.onNext(GetMetricSpecResponse.newBuilder().addAllMetricSpecs(specs.get()).build());
            responses.onCompleted();
        }

        @Override
        public void getMetrics(GetMetricsRequest request, StreamObserver<GetMetricsResponse> responses) {
            getMetricsCalls.incrementAndGet();
            lastRequests.put(request.getMetricName(), request);
            Behavior behavior = behaviors.get(request.getMetricName());
            if (behavior == null) {
                responses.onError(Status.NOT_FOUND.withDescription("no scaler metric " + request.getMetricName())
                        .asRuntimeException());
                return;
            }
            try {
                responses.onNext(behavior.getMetrics(request));
                responses.onCompleted();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                responses.onError(Status.CANCELLED.asRuntimeException());
            } catch (RuntimeException e) {
                responses.onError(e);
            }
        }
    }
}
