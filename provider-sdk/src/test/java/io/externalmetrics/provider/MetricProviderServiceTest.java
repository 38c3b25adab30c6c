package io.externalmetrics.provider;

import static io.externalmetrics.provider.GrpcCleanup.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import io.externalmetrics.proto.v1.DescribeRequest;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricDescriptor;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.MetricRef;
import io.externalmetrics.proto.v1.Push;
import io.externalmetrics.proto.v1.WatchEvent;
import io.externalmetrics.proto.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MetricProviderServiceTest {

    private static final long WAIT_SECONDS = 10;

    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    @Test
    void fetch_registeredMetric_returnsBaseAndSeries() {
        var channel = serve(MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "incrementable", Trigger.every(Duration.ofSeconds(1)),
                        request -> Value.of(3).withSelector("some-key", "A", 3)
                                .withSeries(Map.of("some-key", "B", "zone", "eu"), 15)));

        FetchResponse response = blocking(channel).fetch(fetch(Namespace.ALL, "incrementable"));

        assertThat(response.hasValue()).isTrue();
        assertThat(response.getValue()).isEqualTo(3);
        assertThat(response.getSeriesList()).containsExactly(
                series(Map.of("some-key", "A"), 3),
                series(Map.of("some-key", "B", "zone", "eu"), 15));
        assertThat(response.hasWindow()).isFalse();
    }

    @Test
    void fetch_valueWithoutTime_isStampedWithTheClockWhenTheFunctionReturns() {
        Instant called = Instant.parse("2026-01-02T03:04:05Z");
        Instant returned = called.plusSeconds(5);
        var clock = new MovableClock(called);
        var channel = serve(MetricProviderServer.builder()
                .clock(clock)
                .addMetric(Namespace.ALL, "slow", Trigger.every(Duration.ofSeconds(1)), request -> {
                    clock.set(returned); // the function took five seconds
                    return Value.of(1);
                }));

        FetchResponse response = blocking(channel).fetch(fetch(Namespace.ALL, "slow"));

        assertThat(response.getObservedAt()).as("the time the function returned, not when it was called")
                .isEqualTo(Timestamp.newBuilder().setSeconds(returned.getEpochSecond()).build());
    }

    @Test
    void fetch_seriesOnlyValueWithoutTime_isStampedToo() {
        Instant returned = Instant.parse("2026-01-02T03:04:10Z");
        var clock = new MovableClock(returned.minusSeconds(5));
        var channel = serve(MetricProviderServer.builder()
                .clock(clock)
                .addMetric(Namespace.ALL, "per-queue", Trigger.every(Duration.ofSeconds(1)), request -> {
                    clock.set(returned);
                    return Value.empty().withSelector("queue", "jobs", 4);
                }));

        FetchResponse response = blocking(channel).fetch(fetch(Namespace.ALL, "per-queue"));

        assertThat(response.hasValue()).isFalse();
        assertThat(response.getObservedAt())
                .isEqualTo(Timestamp.newBuilder().setSeconds(returned.getEpochSecond()).build());
    }

    @Test
    void fetch_valueWithoutTime_systemClock_isObservedBetweenTheFunctionsReturnAndTheReply() {
        var lastInstantInFunction = new AtomicReference<Instant>();
        var channel = serve(MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "now", Trigger.every(Duration.ofSeconds(1)), request -> {
                    Value value = Value.of(1);
                    lastInstantInFunction.set(Instant.now());
                    return value;
                }));

        FetchResponse response = blocking(channel).fetch(fetch(Namespace.ALL, "now"));
        Instant replied = Instant.now();

        Instant observed = Instant.ofEpochSecond(response.getObservedAt().getSeconds(),
                response.getObservedAt().getNanos());
        assertThat(response.hasObservedAt()).isTrue();
        assertThat(observed).isBetween(lastInstantInFunction.get(), replied);
    }

    @Test
    void fetch_valueWithoutBaseButWithTimeAndWindow_mapsEachField() {
        Instant observed = Instant.parse("2025-01-02T03:04:05.000000006Z");
        var channel = serve(MetricProviderServer.builder()
                .addMetric(Namespace.DEFAULT, "rate", Trigger.every(Duration.ofSeconds(1)),
                        request -> Value.empty().withSelector("queue", "orders", 0.5)
                                .observedAt(observed).window(Duration.ofSeconds(60))));

        FetchResponse response = blocking(channel).fetch(fetch(Namespace.DEFAULT, "rate"));

        assertThat(response.hasValue()).isFalse();
        assertThat(response.getSeriesList()).containsExactly(series(Map.of("queue", "orders"), 0.5));
        assertThat(response.getObservedAt())
                .isEqualTo(Timestamp.newBuilder().setSeconds(observed.getEpochSecond()).setNanos(6).build());
        assertThat(response.getWindow().getSeconds()).isEqualTo(60);
    }

    @Test
    void fetch_passesNamespaceNameAndDeadlineToTheFunction() {
        var seen = new AtomicReference<MetricRequest>();
        var channel = serve(MetricProviderServer.builder()
                .addMetric(Namespace.DEFAULT, "m", Trigger.every(Duration.ofSeconds(1)), request -> {
                    seen.set(request);
                    return Value.of(1);
                }));

        Instant before = Instant.now();
        blocking(channel).withDeadlineAfter(30, TimeUnit.SECONDS).fetch(fetch(Namespace.DEFAULT, "m"));

        assertThat(seen.get().namespace()).isEqualTo(Namespace.DEFAULT);
        assertThat(seen.get().name()).isEqualTo("m");
        assertThat(seen.get().deadline()).hasValueSatisfying(deadline -> assertThat(deadline)
                .isAfter(before).isBeforeOrEqualTo(Instant.now().plusSeconds(30)));
        assertThat(seen.get().timeRemaining()).isPresent();
    }

    @Test
    void fetch_unknownMetric_returnsNotFoundNamingIt() {
        var channel = serve(MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "known", Trigger.every(Duration.ofSeconds(1)),
                        request -> Value.of(1)));

        assertThatThrownBy(() -> blocking(channel).fetch(fetch("default", "unknown")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription())
                            .contains("\"unknown\"", "namespace \"default\"", "\"known\" in \"*\"");
                });
    }

    @Test
    void fetch_allNamespacesMetricAskedInOneNamespace_saysToAskForStar() {
        var channel = serve(MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "known", Trigger.every(Duration.ofSeconds(1)),
                        request -> Value.of(1)));

        assertThatThrownBy(() -> blocking(channel).fetch(fetch("default", "known")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).contains("namespace \"*\"");
                });
    }

    @Test
    void fetch_functionThrows_returnsErrorWithMessageAndKeepsServing() {
        var calls = new java.util.concurrent.atomic.AtomicInteger();
        var channel = serve(MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "flaky", Trigger.every(Duration.ofSeconds(1)), request -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("backend said no");
                    }
                    return Value.of(2);
                }));

        assertThatThrownBy(() -> blocking(channel).fetch(fetch(Namespace.ALL, "flaky")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
                    assertThat(e.getStatus().getDescription())
                            .contains("metric \"flaky\" in namespace \"*\"", "backend said no");
                });
        assertThat(blocking(channel).fetch(fetch(Namespace.ALL, "flaky")).getValue()).isEqualTo(2);
    }

    @Test
    void fetch_functionThrowsStatus_keepsItsCode() {
        var channel = serve(MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "down", Trigger.every(Duration.ofSeconds(1)), request -> {
                    throw Status.UNAVAILABLE.withDescription("database down").asException();
                }));

        assertThatThrownBy(() -> blocking(channel).fetch(fetch(Namespace.ALL, "down")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo("metric \"down\" in namespace \"*\" failed: database down");
                });
    }

    @Test
    void fetch_functionReturnsNull_returnsInternal() {
        var channel = serve(MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "nothing", Trigger.every(Duration.ofSeconds(1)),
                        request -> null));

        assertThatThrownBy(() -> blocking(channel).fetch(fetch(Namespace.ALL, "nothing")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                    assertThat(e.getStatus().getDescription())
                            .contains("\"nothing\"", "returned null", "Value.empty()");
                });
    }

    @Test
    void fetch_functionRunsPastDeadline_failsWithDeadlineExceededAndInterruptsIt()
            throws InterruptedException {
        var interrupted = new CountDownLatch(1);
        var channel = serve(MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "slow", Trigger.every(Duration.ofSeconds(1)), request -> {
                    try {
                        new CountDownLatch(1).await(); // never counted down: runs until interrupted
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                    return Value.of(1);
                }));

        assertThatThrownBy(() -> blocking(channel).withDeadlineAfter(200, TimeUnit.MILLISECONDS)
                .fetch(fetch(Namespace.ALL, "slow")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(
                        e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(interrupted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        // ...and the server still answers.
        assertThatThrownBy(() -> blocking(channel).fetch(fetch(Namespace.ALL, "other")))
                .hasMessageContaining("NOT_FOUND");
    }

    @Test
    void fetch_withoutMetric_isInvalidArgument() {
        var channel = serve(MetricProviderServer.builder());

        assertThatThrownBy(() -> blocking(channel).fetch(FetchRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(
                        e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void describe_listsEveryMetricWithTriggerAndMaxAge() {
        var channel = serve(MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "polled", Trigger.every(Duration.ofMillis(1500)),
                        request -> Value.of(1))
                .addMetric(Namespace.DEFAULT, "pushed", Trigger.onEvent(), Duration.ofSeconds(30),
                        request -> Value.of(2))
                .addMetric(Namespace.DEFAULT, "published", Trigger.from(new SubmissionPublisher<>()),
                        request -> Value.of(3)));

        var metrics = blocking(channel).describe(DescribeRequest.getDefaultInstance()).getMetricsList();

        assertThat(metrics).containsExactly(
                MetricDescriptor.newBuilder().setMetric(ref(Namespace.ALL, "polled"))
                        .setInterval(com.google.protobuf.Duration.newBuilder()
                                .setSeconds(1).setNanos(500_000_000))
                        .build(),
                MetricDescriptor.newBuilder().setMetric(ref(Namespace.DEFAULT, "pushed"))
                        .setPush(Push.getDefaultInstance())
                        .setMaxAge(com.google.protobuf.Duration.newBuilder().setSeconds(30))
                        .build(),
                MetricDescriptor.newBuilder().setMetric(ref(Namespace.DEFAULT, "published"))
                        .setPush(Push.getDefaultInstance())
                        .build());
    }

    @Test
    void watch_fire_sendsAnEventForTheMetric() throws InterruptedException {
        EventTrigger changed = Trigger.onEvent();
        MetricProviderServer provider = MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "pushed", changed, request -> Value.of(1))
                .build();
        var channel = grpc.inProcess(provider);
        changed.fire(); // no stream yet: nothing happens
        var stream = watch(channel, WatchRequest.getDefaultInstance());
        await("the stream is registered", () -> provider.watchers() == 1);
        assertThat(stream.events.poll(WAIT_SECONDS, TimeUnit.SECONDS)).as("the opening event")
                .isEqualTo(event(Namespace.ALL, "pushed"));

        changed.fire();

        assertThat(stream.events.poll(WAIT_SECONDS, TimeUnit.SECONDS))
                .isEqualTo(event(Namespace.ALL, "pushed"));
        assertThat(stream.events).isEmpty();
    }

    @Test
    void watch_newStream_firstGetsOneEventPerWatchedPushMetric_soNoChangeBeforeItOpenedIsMissed()
            throws InterruptedException {
        MetricProviderServer provider = MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "a", Trigger.onEvent(), request -> Value.of(1))
                .addMetric(Namespace.DEFAULT, "b", Trigger.onEvent(), request -> Value.of(2))
                .addMetric(Namespace.ALL, "polled", Trigger.every(Duration.ofMinutes(1)), request -> Value.of(3))
                .build();
        var channel = grpc.inProcess(provider);

        var all = watch(channel, WatchRequest.getDefaultInstance());
        var onlyB = watch(channel, WatchRequest.newBuilder().addMetrics(ref(Namespace.DEFAULT, "b"))
                .addMetrics(ref(Namespace.ALL, "polled")).addMetrics(ref(Namespace.ALL, "not-registered")).build());

        assertThat(all.events.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(event(Namespace.ALL, "a"));
        assertThat(all.events.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(event(Namespace.DEFAULT, "b"));
        assertThat(onlyB.events.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(event(Namespace.DEFAULT, "b"));
        await("both streams are registered", () -> provider.watchers() == 2);
        assertThat(provider.pendingEvents()).isZero();
        assertThat(all.events).isEmpty();
        assertThat(onlyB.events).as("nothing for interval or unknown metrics").isEmpty();
    }

    @Test
    void watch_publisherItem_sendsAnEvent() throws InterruptedException {
        try (var publisher = new SubmissionPublisher<String>()) {
            MetricProviderServer provider = MetricProviderServer.builder()
                    .addMetric(Namespace.ALL, "published", Trigger.from(publisher),
                            request -> Value.of(1))
                    .build();
            var channel = grpc.inProcess(provider);
            var stream = watch(channel, WatchRequest.getDefaultInstance());
            await("the publisher has a subscriber and the stream is registered",
                    () -> publisher.getNumberOfSubscribers() == 1 && provider.watchers() == 1);
            assertThat(stream.events.poll(WAIT_SECONDS, TimeUnit.SECONDS)).as("the opening event")
                    .isEqualTo(event(Namespace.ALL, "published"));

            publisher.submit("changed");

            assertThat(stream.events.poll(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isEqualTo(event(Namespace.ALL, "published"));
            provider.close();
            await("close() cancels the subscription", () -> publisher.getNumberOfSubscribers() == 0);
        }
    }

    @Test
    void watch_twoStreams_eachGetEveryEvent_andOnlyTheMetricsTheyAskFor()
            throws InterruptedException {
        EventTrigger a = Trigger.onEvent();
        EventTrigger b = Trigger.onEvent();
        MetricProviderServer provider = MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "a", a, request -> Value.of(1))
                .addMetric(Namespace.ALL, "b", b, request -> Value.of(2))
                .build();
        var channel = grpc.inProcess(provider);
        var all = watch(channel, WatchRequest.getDefaultInstance());
        var onlyB = watch(channel, WatchRequest.newBuilder().addMetrics(ref(Namespace.ALL, "b"))
                .addMetrics(ref(Namespace.ALL, "not-registered")).build());
        await("both streams are registered", () -> provider.watchers() == 2);
        assertThat(List.of(all.events.poll(WAIT_SECONDS, TimeUnit.SECONDS),
                all.events.poll(WAIT_SECONDS, TimeUnit.SECONDS),
                onlyB.events.poll(WAIT_SECONDS, TimeUnit.SECONDS))).as("the opening events")
                .containsExactly(event(Namespace.ALL, "a"), event(Namespace.ALL, "b"), event(Namespace.ALL, "b"));

        a.fire();
        b.fire();

        assertThat(all.events.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(event(Namespace.ALL, "a"));
        assertThat(all.events.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(event(Namespace.ALL, "b"));
        assertThat(onlyB.events.poll(WAIT_SECONDS, TimeUnit.SECONDS))
                .isEqualTo(event(Namespace.ALL, "b"));
        b.fire(); // had "a" reached onlyB, it would arrive before this one
        assertThat(onlyB.events.poll(WAIT_SECONDS, TimeUnit.SECONDS))
                .isEqualTo(event(Namespace.ALL, "b"));
    }

    @Test
    void watch_slowStream_doesNotBlockFire_andCoalescesEventsPerMetric()
            throws InterruptedException {
        EventTrigger a = Trigger.onEvent();
        EventTrigger b = Trigger.onEvent();
        MetricProviderServer provider = MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "a", a, request -> Value.of(1))
                .addMetric(Namespace.ALL, "b", b, request -> Value.of(2))
                .build();
        var channel = grpc.inProcess(provider);
        var stream = watch(channel, WatchRequest.getDefaultInstance(), 0); // reads nothing yet
        await("the stream is registered", () -> provider.watchers() == 1);

        for (int i = 0; i < 10_000; i++) { // would block or pile up without flow control
            a.fire();
            b.fire();
        }
        assertThat(provider.pendingEvents()).as("one waiting event per metric, the opening ones included")
                .isEqualTo(2);
        stream.call.get().request(100);

        assertThat(stream.events.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(event(Namespace.ALL, "a"));
        assertThat(stream.events.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(event(Namespace.ALL, "b"));
        a.fire(); // any event left over from the burst would arrive before this one
        assertThat(stream.events.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(event(Namespace.ALL, "a"));
    }

    @Test
    void watch_clientCancels_removesTheStream() throws InterruptedException {
        EventTrigger changed = Trigger.onEvent();
        MetricProviderServer provider = MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "pushed", changed, request -> Value.of(1))
                .build();
        var channel = grpc.inProcess(provider);
        var stream = watch(channel, WatchRequest.getDefaultInstance());
        await("the stream is registered", () -> provider.watchers() == 1);

        stream.call.get().cancel("test is done", null);

        await("the stream is removed", () -> provider.watchers() == 0);
        changed.fire(); // no watchers left: a no-op
    }

    @Test
    void close_completesOpenWatchStreams() throws InterruptedException {
        MetricProviderServer provider = MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "pushed", Trigger.onEvent(), request -> Value.of(1))
                .build();
        var channel = grpc.inProcess(provider);
        var stream = watch(channel, WatchRequest.getDefaultInstance());
        await("the stream is registered", () -> provider.watchers() == 1);

        provider.close();

        assertThat(stream.completed.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        var late = watch(channel, WatchRequest.getDefaultInstance());
        assertThat(late.completed.await(WAIT_SECONDS, TimeUnit.SECONDS))
                .as("a stream opened after close() ends at once").isTrue();
    }

    /** A clock the test sets; read by the server's fetch threads. */
    private static final class MovableClock extends Clock {

        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("a test clock has one zone");
        }
    }

    private ManagedChannel serve(MetricProviderServer.Builder builder) {
        return grpc.inProcess(builder.build());
    }

    private static MetricProviderGrpc.MetricProviderBlockingStub blocking(ManagedChannel channel) {
        return MetricProviderGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    static MetricRef ref(String namespace, String name) {
        return MetricRef.newBuilder().setNamespace(namespace).setName(name).build();
    }

    static FetchRequest fetch(String namespace, String name) {
        return FetchRequest.newBuilder().setMetric(ref(namespace, name)).build();
    }

    static WatchEvent event(String namespace, String name) {
        return WatchEvent.newBuilder().setMetric(ref(namespace, name)).build();
    }

    static io.externalmetrics.proto.v1.Series series(Map<String, String> labels, double value) {
        return io.externalmetrics.proto.v1.Series.newBuilder().putAllLabels(labels).setValue(value).build();
    }

    private static Stream watch(ManagedChannel channel, WatchRequest request) {
        return watch(channel, request, Integer.MAX_VALUE);
    }

    /** Opens a Watch stream whose client asks for {@code initialRequest} events at first. */
    private static Stream watch(ManagedChannel channel, WatchRequest request, int initialRequest) {
        var stream = new Stream(initialRequest);
        MetricProviderGrpc.newStub(channel).watch(request, stream);
        return stream;
    }

    /** A Watch client that collects events. */
    private static final class Stream implements ClientResponseObserver<WatchRequest, WatchEvent> {

        final BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        final CountDownLatch completed = new CountDownLatch(1);
        final AtomicReference<ClientCallStreamObserver<WatchRequest>> call = new AtomicReference<>();
        private final int initialRequest;

        Stream(int initialRequest) {
            this.initialRequest = initialRequest;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
            call.set(requestStream);
            if (initialRequest != Integer.MAX_VALUE) {
                requestStream.disableAutoRequestWithInitial(initialRequest);
            }
        }

        @Override
        public void onNext(WatchEvent event) {
            events.add(event);
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
            completed.countDown();
        }
    }
}
