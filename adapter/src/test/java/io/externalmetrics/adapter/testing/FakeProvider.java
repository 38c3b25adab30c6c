package io.externalmetrics.adapter.testing;

import io.externalmetrics.proto.v1.DescribeRequest;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricDescriptor;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.MetricRef;
import io.externalmetrics.proto.v1.Push;
import io.externalmetrics.proto.v1.WatchEvent;
import io.externalmetrics.proto.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A provider whose behaviour tests change at run time (values, failures, hangs, malformed replies,
 * broken Watch streams), served by real gRPC on 127.0.0.1 so it can be killed and restarted on the
 * same port, or in process for tests on virtual time. For adapter tests and for integrators testing
 * their own set-ups.
 */
public final class FakeProvider implements AutoCloseable {

    /** How one metric answers a Fetch: a reply, or a thrown {@link io.grpc.StatusRuntimeException}. */
    @FunctionalInterface
    public interface Behavior {
        FetchResponse fetch(FetchRequest request) throws InterruptedException;
    }

    private final Map<String, Behavior> behaviors = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> fetchCounts = new ConcurrentHashMap<>();
    private final AtomicReference<Optional<List<MetricDescriptor>>> descriptors =
            new AtomicReference<>(Optional.empty());
    private final List<ServerCallStreamObserver<WatchEvent>> watchers = new CopyOnWriteArrayList<>();
    private final AtomicInteger watchCalls = new AtomicInteger();
    private final AtomicInteger describeCalls = new AtomicInteger();
    private volatile Server server;
    private volatile Optional<String> inProcessName = Optional.empty();
    private volatile Executor handlers; // in process: null runs calls on the calling thread
    private volatile int port;

    /** Starts on 127.0.0.1 at {@code port} (0: a free one). */
    public static FakeProvider start(int port) {
        var provider = new FakeProvider();
        provider.listen(port);
        return provider;
    }

    /**
     * Starts in process, without a socket: calls run on the calling thread, so a test that moves
     * virtual time sees each fetch happen inside its own call. Reach it with {@link #inProcessChannel}.
     */
    public static FakeProvider inProcess() {
        var provider = new FakeProvider();
        String name = InProcessServerBuilder.generateName();
        provider.inProcessName = Optional.of(name);
        provider.listenInProcess(name);
        return provider;
    }

    /**
     * Starts in process, its calls run on {@code handlers}: for functions that block, as a provider's own
     * threads would, where on the calling thread they would block whoever started the call.
     */
    public static FakeProvider inProcess(Executor handlers) {
        var provider = new FakeProvider();
        String name = InProcessServerBuilder.generateName();
        provider.inProcessName = Optional.of(name);
        provider.handlers = handlers;
        provider.listenInProcess(name);
        return provider;
    }

    private void listenInProcess(String name) {
        try {
            var builder = InProcessServerBuilder.forName(name);
            server = (handlers == null ? builder.directExecutor() : builder.executor(handlers))
                    .addService(new Service())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts again after {@link #close}, where it listened before (same port, or same in-process name) and
     * with the same behaviors, as a provider restarted by its supervisor would.
     */
    public FakeProvider restart() {
        inProcessName.ifPresentOrElse(this::listenInProcess, () -> listen(port));
        return this;
    }

    /** A new channel to this in-process provider, running callbacks on the calling thread; the caller closes it. */
    public ManagedChannel inProcessChannel() {
        return InProcessChannelBuilder.forName(inProcessName.orElseThrow(
                () -> new IllegalStateException("not an in-process provider"))).directExecutor().build();
    }

    private void listen(int port) {
        server = LoopbackGrpc.listen(port, new Service());
        this.port = server.getPort();
    }

    public int port() {
        return port;
    }

    /** Sets how {@code name} (any namespace) answers. */
    public FakeProvider metric(String name, Behavior behavior) {
        behaviors.put(name, behavior);
        return this;
    }

    /** A constant base value. */
    public FakeProvider value(String name, double value) {
        return metric(name, request -> FetchResponse.newBuilder().setValue(value).build());
    }

    /** Fails every Fetch of {@code name} with {@code status}. */
    public FakeProvider failing(String name, Status status) {
        return metric(name, request -> {
            throw status.asRuntimeException();
        });
    }

    /** Makes Describe list these metrics; without it Describe is UNIMPLEMENTED. */
    public FakeProvider describe(MetricDescriptor... metrics) {
        descriptors.set(Optional.of(List.of(metrics)));
        return this;
    }

    /** A descriptor of an interval metric for all namespaces. */
    public static MetricDescriptor interval(String name, Duration every) {
        return MetricDescriptor.newBuilder()
                .setMetric(MetricRef.newBuilder().setNamespace("*").setName(name))
                .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(every.getSeconds())
                        .setNanos(every.getNano()))
                .build();
    }

    /** A descriptor of a push metric for all namespaces, with a max age. */
    public static MetricDescriptor push(String name, Duration maxAge) {
        return MetricDescriptor.newBuilder()
                .setMetric(MetricRef.newBuilder().setNamespace("*").setName(name))
                .setPush(Push.getDefaultInstance())
                .setMaxAge(com.google.protobuf.Duration.newBuilder().setSeconds(maxAge.getSeconds())
                        .setNanos(maxAge.getNano()))
                .build();
    }

    /** Sends "changed" for {@code name} on every open Watch stream. */
    public void fire(String name) {
        var event = WatchEvent.newBuilder().setMetric(MetricRef.newBuilder().setNamespace("*").setName(name)).build();
        for (ServerCallStreamObserver<WatchEvent> watcher : watchers) {
            synchronized (watcher) {
                if (!watcher.isCancelled()) {
                    watcher.onNext(event);
                }
            }
        }
    }

    /** Ends every open Watch stream with UNAVAILABLE, as a crashing proxy would. */
    public void breakWatchStreams() {
        for (ServerCallStreamObserver<WatchEvent> watcher : watchers) {
            synchronized (watcher) {
                watchers.remove(watcher);
                watcher.onError(Status.UNAVAILABLE.withDescription("stream broken by the test").asRuntimeException());
            }
        }
    }

    public long fetches(String name) {
        return fetchCounts.computeIfAbsent(name, n -> new AtomicLong()).get();
    }

    public int openWatchStreams() {
        return watchers.size();
    }

    public int watchCalls() {
        return watchCalls.get();
    }

    public int describeCalls() {
        return describeCalls.get();
    }

    /** Kills the server at once, as a crash would (the port is free again when this returns). */
    @Override
    public void close() {
        LoopbackGrpc.kill(server);
    }

    private final class Service extends MetricProviderGrpc.MetricProviderImplBase {

        @Override
        public void fetch(FetchRequest request, StreamObserver<FetchResponse> responses) {
            String name = request.getMetric().getName();
            fetchCounts.computeIfAbsent(name, n -> new AtomicLong()).incrementAndGet();
            Behavior behavior = behaviors.get(name);
            if (behavior == null) {
                responses.onError(Status.NOT_FOUND.withDescription("no metric " + name).asRuntimeException());
                return;
            }
            try {
                responses.onNext(behavior.fetch(request));
                responses.onCompleted();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                responses.onError(Status.CANCELLED.asRuntimeException());
            } catch (RuntimeException e) {
                responses.onError(e);
            }
        }

        @Override
        public void describe(DescribeRequest request, StreamObserver<DescribeResponse> responses) {
            describeCalls.incrementAndGet();
            Optional<List<MetricDescriptor>> list = descriptors.get();
            if (list.isEmpty()) {
                responses.onError(Status.UNIMPLEMENTED.asRuntimeException());
                return;
            }
            responses.onNext(DescribeResponse.newBuilder().addAllMetrics(list.get()).build());
            responses.onCompleted();
        }

        @Override
        public void watch(WatchRequest request, StreamObserver<WatchEvent> events) {
            watchCalls.incrementAndGet();
            var watcher = (ServerCallStreamObserver<WatchEvent>) events;
            watcher.setOnCancelHandler(() -> watchers.remove(watcher));
            watchers.add(watcher);
        }
    }
}
