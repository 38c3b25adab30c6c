package io.externalmetrics.examples.javaprovider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.MetricRef;
import io.externalmetrics.proto.v1.WatchEvent;
import io.externalmetrics.proto.v1.WatchRequest;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.MetricRequest;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Series;
import io.externalmetrics.provider.Value;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExampleProviderTest {

    private static final long WAIT_SECONDS = 10;

    private final ExampleProvider provider = new ExampleProvider();
    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();

    @AfterEach
    void closeEverything() throws Exception {
        while (!cleanup.isEmpty()) {
            cleanup.pop().close();
        }
    }

    @Test
    void someIncrementingMetric_beforeAnyTick_isAllZero() {
        assertThat(provider.someIncrementingMetric(request(ExampleProvider.INCREMENTABLE)))
                .isEqualTo(counters(0, 0, 0));
    }

    @Test
    void someIncrementingMetric_afterThreeTicks_movesEachCounterAsTheSeedDoes() {
        for (int i = 0; i < 3; i++) {
            provider.tick();
        }

        Value value = provider.someIncrementingMetric(request(ExampleProvider.INCREMENTABLE));

        assertThat(value.value()).hasValue(3);
        assertThat(value.series()).containsExactly(
                new Series(Map.of("some-key", "A"), 3),
                new Series(Map.of("some-key", "B"), 15),
                new Series(Map.of("some-key", "C"), -3));
    }

    @Test
    void fetch_overGrpc_returnsTheCountersAfterTicks() throws IOException {
        var stub = MetricProviderGrpc.newBlockingStub(serveInProcess(null))
                .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS);
        provider.tick();
        provider.tick();

        FetchResponse response = stub.fetch(FetchRequest.newBuilder()
                .setMetric(ref(ExampleProvider.INCREMENTABLE)).build());

        assertThat(response.getValue()).isEqualTo(2);
        assertThat(response.getSeriesList()).extracting(s -> s.getLabelsMap().get("some-key"),
                        io.externalmetrics.proto.v1.Series::getValue)
                .containsExactly(
                        tuple("A", 2.0),
                        tuple("B", 10.0),
                        tuple("C", -2.0));
    }

    @Test
    void tick_everyFifth_pushesAnEventAndANewValue() throws Exception {
        var watchStarted = new CountDownLatch(1);
        var channel = serveInProcess(watchStarted);
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        MetricProviderGrpc.newStub(channel).watch(WatchRequest.getDefaultInstance(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(WatchEvent event) {
                        events.add(event);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        assertThat(watchStarted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

        for (int i = 0; i < ExampleProvider.TICKS_PER_PUSH; i++) {
            provider.tick();
        }

        assertThat(events.poll(WAIT_SECONDS, TimeUnit.SECONDS))
                .isEqualTo(WatchEvent.newBuilder().setMetric(ref(ExampleProvider.PUSHED)).build());
        FetchResponse response = MetricProviderGrpc.newBlockingStub(channel)
                .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
                .fetch(FetchRequest.newBuilder().setMetric(ref(ExampleProvider.PUSHED)).build());
        assertThat(response.getValue()).isEqualTo(1);
    }

    @Test
    void options_defaultsAndOverrides() {
        assertThat(Options.parse()).isEqualTo(Options.DEFAULTS);
        assertThat(Options.parse("--port", "0", "--address=0.0.0.0"))
                .isEqualTo(new Options("0.0.0.0", 0, false, Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(Options.parse("--tls-cert", "tls.crt", "--tls-key=tls.key", "--client-ca", "ca.crt"))
                .isEqualTo(new Options("127.0.0.1", 50051, false, Optional.of(Path.of("tls.crt")),
                        Optional.of(Path.of("tls.key")), Optional.of(Path.of("ca.crt"))));
        assertThat(Options.parse("--help").help()).isTrue();
    }

    @Test
    void options_badArguments_failNamingThem() {
        assertThatThrownBy(() -> Options.parse("--port", "http"))
                .hasMessage("--port must be a number from 0 to 65535, got \"http\"");
        assertThatThrownBy(() -> Options.parse("--port"))
                .hasMessage("--port needs a value");
        assertThatThrownBy(() -> Options.parse("--verbose"))
                .hasMessage("unknown argument: --verbose");
        assertThatThrownBy(() -> Options.parse("--tls-cert", "tls.crt"))
                .hasMessage("--tls-cert and --tls-key go together");
        assertThatThrownBy(() -> Options.parse("--client-ca", "ca.crt"))
                .hasMessage("--client-ca needs --tls-cert and --tls-key");
    }

    /**
     * Serves the example in-process through the SDK's bindable service; counts down
     * {@code watchStarted} (if given) once a Watch call has been registered by the service.
     */
    private ManagedChannel serveInProcess(CountDownLatch watchStarted) throws IOException {
        MetricProviderServer metrics = provider.register(MetricProviderServer.builder()).build();
        cleanup.push(metrics);
        ServerInterceptor watchRegistered = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call,
                    Metadata headers, ServerCallHandler<Q, R> next) {
                return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                    @Override
                    public void onHalfClose() {
                        super.onHalfClose(); // runs the handler: the stream is registered after it
                        if (watchStarted != null && call.getMethodDescriptor().equals(
                                MetricProviderGrpc.getWatchMethod())) {
                            watchStarted.countDown();
                        }
                    }
                };
            }
        };
        String name = InProcessServerBuilder.generateName();
        var server = InProcessServerBuilder.forName(name)
                .addService(ServerInterceptors.intercept(metrics.bindableService(), watchRegistered))
                .build()
                .start();
        cleanup.push(() -> {
            server.shutdownNow();
            server.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
        });
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        cleanup.push(() -> {
            channel.shutdownNow();
            channel.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
        });
        return channel;
    }

    private static MetricRequest request(String name) {
        return MetricRequest.of(Namespace.ALL, name);
    }

    private static MetricRef ref(String name) {
        return MetricRef.newBuilder().setNamespace(Namespace.ALL).setName(name).build();
    }

    private static Value counters(long a, long b, long c) {
        return Value.of(a).withSelector("some-key", "A", a).withSelector("some-key", "B", b)
                .withSelector("some-key", "C", c);
    }
}
