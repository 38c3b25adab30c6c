package io.externalmetrics.provider.testing;

import io.externalmetrics.proto.v1.DescribeRequest;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricDescriptor;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.MetricRef;
import io.externalmetrics.proto.v1.WatchRequest;
import io.externalmetrics.provider.MetricKey;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Series;
import io.externalmetrics.provider.Value;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls a provider's Fetch, Describe and Watch from a test, and answers in the SDK's types
 * ({@link Value}, {@link Series}, {@link MetricKey}), so a test asserts on what the adapter would
 * receive, through the same gRPC service and the same mapping to the wire.
 *
 * <p>{@link #of(MetricProviderServer)} serves the provider in-process (no sockets, no port):
 * <pre>{@code
 * @Test
 * void queueDepth_isTheQueuesSize() {
 *     queue.add("job");
 *     try (var tester = ProviderTester.of(provider.register(MetricProviderServer.builder()).build())) {
 *         Value value = tester.fetch(MetricKey.forAllNamespaces("queue-depth"));
 *         assertThat(value.value()).hasValue(1);
 *     }
 * }
 * }</pre>
 *
 * <p>A provider's error reaches the test as the {@link StatusRuntimeException} the adapter would get
 * (e.g. {@code NOT_FOUND} for an unknown metric); a reply that breaks the provider contract (a NaN,
 * an invalid label, two series with the same labels) fails the test with an {@link AssertionError}
 * saying what is wrong. Every call has a deadline, {@link #DEFAULT_TIMEOUT} unless given, and every
 * wait gives up after it, so a hanging provider fails the test instead of hanging it.
 *
 * <p>{@link #close()} ends Watch streams and closes what the tester started, the provider included.
 * Thread-safe: several threads may call one tester.
 */
public final class ProviderTester implements AutoCloseable {

    /** The deadline of each call and the longest wait, unless a method is given its own. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    // Tags each Watch call so the in-process server can say when the provider has taken it.
    private static final Metadata.Key<String> WATCH_ID =
            Metadata.Key.of("externalmetrics-tester-watch", Metadata.ASCII_STRING_MARSHALLER);

    private final Channel channel;
    private final Optional<ManagedChannel> ownChannel;
    private final Optional<Server> server;
    private final Optional<MetricProviderServer> provider;
    private final Optional<WatchStarts> watchStarts; // empty: a provider elsewhere, not observable
    private final AtomicLong watchIds = new AtomicLong();
    private final List<WatchRecording> watches = new CopyOnWriteArrayList<>();

    private ProviderTester(Channel channel, Optional<ManagedChannel> ownChannel, Optional<Server> server,
            Optional<MetricProviderServer> provider, Optional<WatchStarts> watchStarts) {
        this.channel = channel;
        this.ownChannel = ownChannel;
        this.server = server;
        this.provider = provider;
        this.watchStarts = watchStarts;
    }

    /**
     * Serves an SDK provider in-process: its {@link MetricProviderServer#bindableService()}, without
     * starting it on a port. {@link #close()} closes the provider too.
     *
     * @param provider a built provider, e.g. {@code MetricProviderServer.builder().addMetric(...).build()}
     * @return the tester
     */
    public static ProviderTester of(MetricProviderServer provider) {
        Objects.requireNonNull(provider, "provider must not be null");
        return inProcess(provider.bindableService(), Optional.of(provider));
    }

    /**
     * Serves any implementation of the {@code externalmetrics.v1.MetricProvider} gRPC service
     * in-process, e.g. one generated from the proto and written without the SDK's registration API.
     *
     * @param service the service
     * @return the tester
     */
    public static ProviderTester of(BindableService service) {
        Objects.requireNonNull(service, "service must not be null");
        return inProcess(service, Optional.empty());
    }

    /**
     * Calls a provider that is already serving, over a channel the test built: a provider started on
     * a port, over TLS, in another process. The channel stays the caller's to shut down. Here {@link
     * #watch} cannot see when the provider has taken the stream; it returns once the call is sent.
     *
     * @param channel the channel to the provider
     * @return the tester
     */
    public static ProviderTester connect(Channel channel) {
        Objects.requireNonNull(channel, "channel must not be null");
        return new ProviderTester(channel, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    private static ProviderTester inProcess(BindableService service, Optional<MetricProviderServer> provider) {
        var starts = new WatchStarts();
        String name = InProcessServerBuilder.generateName();
        Server server;
        try {
            server = InProcessServerBuilder.forName(name)
                    .addService(ServerInterceptors.intercept(service, starts))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the in-process server: " + e.getMessage(), e);
        }
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        return new ProviderTester(channel, Optional.of(channel), Optional.of(server), provider, Optional.of(starts));
    }

    /**
     * Fetches a metric, as the adapter does, with the {@link #DEFAULT_TIMEOUT} as deadline.
     *
     * <p>An SDK provider stamps a value returned without an observation time with the time its
     * function returned, so the reply's {@link Value#observedAt()} is set: assert on {@link
     * Value#value()} and {@link Value#series()}, or give the provider a fixed clock
     * ({@link MetricProviderServer.Builder#clock}) to compare whole values.
     *
     * @param metric the metric, by the namespace it is registered under ({@code "*"} included) and name
     * @return the reply; its {@link Value#observedAt()} is present whenever the provider sent one
     * @throws StatusRuntimeException the provider's error, e.g. {@code NOT_FOUND} for an unknown metric
     * @throws AssertionError if the reply breaks the provider contract
     */
    public Value fetch(MetricKey metric) {
        return fetch(metric, DEFAULT_TIMEOUT);
    }

    /**
     * Fetches a metric by namespace and name, with the {@link #DEFAULT_TIMEOUT} as deadline.
     *
     * @param namespace the namespace the metric is registered under ({@code "*"} included)
     * @param name the metric name
     * @return the reply
     * @throws StatusRuntimeException the provider's error, e.g. {@code NOT_FOUND} for an unknown metric
     * @throws AssertionError if the reply breaks the provider contract
     */
    public Value fetch(String namespace, String name) {
        return fetch(new MetricKey(namespace, name));
    }

    /**
     * Fetches a metric with a deadline of the test's choice, e.g. to see that a metric function
     * honours {@link io.externalmetrics.provider.MetricRequest#deadline()}.
     *
     * @param metric the metric
     * @param deadline how long the call may take; positive
     * @return the reply
     * @throws StatusRuntimeException the provider's error, {@code DEADLINE_EXCEEDED} once the deadline
     *     passed
     * @throws AssertionError if the reply breaks the provider contract
     */
    public Value fetch(MetricKey metric, Duration deadline) {
        Objects.requireNonNull(metric, "metric must not be null");
        FetchResponse response = MetricProviderGrpc.newBlockingStub(channel)
                .withDeadlineAfter(positive("deadline", deadline).toNanos(), TimeUnit.NANOSECONDS)
                .fetch(FetchRequest.newBuilder().setMetric(ref(metric)).build());
        return value(metric, response);
    }

    /**
     * Asks the provider which metrics it serves, as the adapter does when it connects.
     *
     * @return the metrics, in the provider's order
     * @throws StatusRuntimeException the provider's error; {@code UNIMPLEMENTED} if it has no Describe
     * @throws AssertionError if a descriptor has no metric or no trigger
     */
    public List<MetricDescription> describe() {
        var described = new ArrayList<MetricDescription>();
        for (MetricDescriptor descriptor : MetricProviderGrpc.newBlockingStub(channel)
                .withDeadlineAfter(DEFAULT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)
                .describe(DescribeRequest.getDefaultInstance())
                .getMetricsList()) {
            described.add(description(descriptor));
        }
        return List.copyOf(described);
    }

    /**
     * Opens a Watch stream, as the adapter does for push metrics, and records its events. In-process,
     * it returns once the provider has taken the stream, so an event fired after this call reaches
     * it. {@link WatchRecording#close()} ends the stream; {@link #close()} ends any still open.
     *
     * @param metrics the push metrics to watch; none: every push metric
     * @return the recording of the stream's events
     * @throws AssertionError if the provider does not take the stream within the {@link #DEFAULT_TIMEOUT}
     */
    public WatchRecording watch(MetricKey... metrics) {
        var request = WatchRequest.newBuilder();
        for (MetricKey metric : metrics) {
            request.addMetrics(ref(Objects.requireNonNull(metric, "metrics must not contain null")));
        }
        String id = Long.toString(watchIds.incrementAndGet());
        // Counted down when the provider has taken the stream, or when the stream ended first (a
        // provider without Watch answers UNIMPLEMENTED); a provider elsewhere cannot be observed.
        CountDownLatch taken = watchStarts.map(starts -> starts.expect(id)).orElseGet(() -> new CountDownLatch(0));
        var headers = new Metadata();
        headers.put(WATCH_ID, id);
        var recording = new WatchRecording(taken::countDown);
        watches.add(recording);
        MetricProviderGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .watch(request.build(), recording.observer());
        if (!await(taken)) {
            recording.close();
            throw new AssertionError("the provider did not take the Watch stream within " + DEFAULT_TIMEOUT);
        }
        return recording;
    }

    /**
     * Ends open Watch streams, closes the provider given to {@link #of(MetricProviderServer)} and
     * stops the in-process server. Idempotent.
     */
    @Override
    public void close() {
        watches.forEach(WatchRecording::close);
        provider.ifPresent(MetricProviderServer::close);
        ownChannel.ifPresent(c -> {
            c.shutdownNow();
            awaitTermination(() -> c.awaitTermination(DEFAULT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS));
        });
        server.ifPresent(s -> {
            s.shutdownNow();
            awaitTermination(() -> s.awaitTermination(DEFAULT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS));
        });
    }

    /** The reply in the SDK's types, which check the contract's rules as they are built. */
    static Value value(MetricKey metric, FetchResponse response) {
        try {
            Value value = response.hasValue() ? Value.of(response.getValue()) : Value.empty();
            var series = new ArrayList<Series>(response.getSeriesCount());
            for (var s : response.getSeriesList()) {
                series.add(new Series(s.getLabelsMap(), s.getValue()));
            }
            value = value.withSeries(series);
            if (response.hasObservedAt()) {
                value = value.observedAt(Instant.ofEpochSecond(response.getObservedAt().getSeconds(),
                        response.getObservedAt().getNanos()));
            }
            if (response.hasWindow()) {
                value = value.window(duration(response.getWindow()));
            }
            return value;
        } catch (IllegalArgumentException e) {
            throw new AssertionError("the reply to Fetch of " + metric + " breaks the provider contract: "
                    + e.getMessage(), e);
        }
    }

    static MetricDescription description(MetricDescriptor descriptor) {
        if (!descriptor.hasMetric()) {
            throw new AssertionError("Describe listed a metric without MetricDescriptor.metric: " + descriptor);
        }
        var metric = new MetricKey(descriptor.getMetric().getNamespace(), descriptor.getMetric().getName());
        Optional<Duration> maxAge = descriptor.hasMaxAge()
                ? Optional.of(duration(descriptor.getMaxAge())) : Optional.empty();
        return switch (descriptor.getTriggerCase()) {
            case INTERVAL -> new MetricDescription(metric, Optional.of(duration(descriptor.getInterval())), maxAge);
            case PUSH -> new MetricDescription(metric, Optional.empty(), maxAge);
            case TRIGGER_NOT_SET -> throw new AssertionError("Describe listed " + metric
                    + " without a trigger: set MetricDescriptor.interval or MetricDescriptor.push");
        };
    }

    private static Duration duration(com.google.protobuf.Duration duration) {
        return Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
    }

    private static MetricRef ref(MetricKey metric) {
        return MetricRef.newBuilder().setNamespace(metric.namespace()).setName(metric.name()).build();
    }

    private static Duration positive(String argument, Duration duration) {
        Objects.requireNonNull(duration, argument + " must not be null");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(argument + " must be positive, got " + duration);
        }
        return duration;
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(DEFAULT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private interface Termination {
        boolean await() throws InterruptedException;
    }

    private static void awaitTermination(Termination termination) {
        try {
            termination.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Counts down a Watch call's latch once the service's handler has run for it: gRPC runs a
     * server-streaming handler when the request is complete (half-close), and the SDK registers the
     * stream in that handler, so from then on an event reaches it.
     */
    private static final class WatchStarts implements ServerInterceptor {

        private final Map<String, CountDownLatch> expected = new ConcurrentHashMap<>();

        CountDownLatch expect(String id) {
            var latch = new CountDownLatch(1);
            expected.put(id, latch);
            return latch;
        }

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            String id = headers.get(WATCH_ID);
            ServerCall.Listener<Q> listener = next.startCall(call, headers);
            if (id == null) {
                return listener;
            }
            return new SimpleForwardingServerCallListener<>(listener) {
                @Override
                public void onHalfClose() {
                    try {
                        super.onHalfClose();
                    } finally {
                        CountDownLatch latch = expected.remove(id);
                        if (latch != null) {
                            latch.countDown();
                        }
                    }
                }
            };
        }
    }
}
