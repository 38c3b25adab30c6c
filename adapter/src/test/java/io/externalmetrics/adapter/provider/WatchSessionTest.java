package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.testing.FakeClock;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.MetricRef;
import io.externalmetrics.proto.v1.WatchEvent;
import io.externalmetrics.proto.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Watch streams on virtual time against an in-process provider whose streams end as each test
 * scripts: every reconnect happens inside the test's own {@link FakeClock#forward} call.
 */
@Timeout(30)
class WatchSessionTest {

    private static final MetricKey A = new MetricKey("*", "a");
    private static final MetricKey B = new MetricKey("prod", "b");
    /** Every backoff wait at its ceiling (no jitter): 1s, 2s, 4s, 8s, 8s, ... */
    private static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8), Jitter.HIGHEST);

    /** How the provider ends each Watch stream, one per call; "hold" keeps it open. */
    private final Queue<String> plan = new ArrayDeque<>();
    private final List<WatchRequest> requests = new CopyOnWriteArrayList<>();
    private final List<ServerCallStreamObserver<WatchEvent>> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final List<MetricKey> changed = new CopyOnWriteArrayList<>();
    private final AtomicInteger opened = new AtomicInteger();

    private final FakeClock time = new FakeClock();
    private final SynchronizationContext sync = new SynchronizationContext((thread, error) -> {
        throw new AssertionError(error);
    });
    private final LogRecords log = LogRecords.of(ProviderRuntime.class.getName());
    private final String name = InProcessServerBuilder.generateName();
    private final Server server = start(new MetricProviderGrpc.MetricProviderImplBase() {
        @Override
        public void watch(WatchRequest request, StreamObserver<WatchEvent> events) {
            requests.add(request);
            var call = (ServerCallStreamObserver<WatchEvent>) events;
            call.setOnCancelHandler(cancelled::incrementAndGet);
            events.onNext(WatchEvent.newBuilder().setMetric(request.getMetrics(0)).build()); // as the contract asks
            switch (plan.isEmpty() ? "hold" : plan.remove()) {
                case "fail" -> events.onError(
                        Status.UNAVAILABLE.withDescription("broken by the test").asRuntimeException());
                case "complete" -> events.onCompleted();
                case "unimplemented" -> events.onError(Status.UNIMPLEMENTED.asRuntimeException());
                default -> held.add(call);
            }
        }
    });
    private final ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    private final WatchSession session = new WatchSession("p", MetricProviderGrpc.newStub(channel), sync,
            time.scheduler(), time.ticker(), BACKOFF, Duration.ofSeconds(8), new WatchSession.Listener() {
                @Override
                public void opened() {
                    opened.incrementAndGet();
                }

                @Override
                public void changed(MetricKey key) {
                    changed.add(key);
                }
            });

    private Server start(MetricProviderGrpc.MetricProviderImplBase service) {
        try {
            return InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
        server.shutdownNow();
        log.close();
    }

    private void watch(MetricKey... keys) {
        sync.execute(() -> session.watch(List.of(keys)));
    }

    private List<String> watchLines() {
        return log.atLeast(Level.INFO).stream().filter(line -> line.contains("Watch")).toList();
    }

    @Test
    void watch_opensOneStreamForThePushMetrics_fetchesOnOpen_andPassesEventsOn() {
        watch(B, A);

        assertThat(requests).singleElement().satisfies(request -> assertThat(request.getMetricsList()).containsExactly(
                MetricRef.newBuilder().setNamespace("*").setName("a").build(),
                MetricRef.newBuilder().setNamespace("prod").setName("b").build()));
        assertThat(opened).hasValue(1);
        assertThat(changed).containsExactly(A);
        held.getFirst().onNext(WatchEvent.newBuilder().setMetric(Protos.ref(B)).build());
        assertThat(changed).containsExactly(A, B);
        assertThat(time.pendingTasks()).isZero();
    }

    @Test
    void manyEvents_areAllPassedOn_thoughAskedOfGrpcInBatches() {
        watch(A);
        int events = 5 * WatchSession.EVENTS_PER_REQUEST + 3; // past every batch boundary and the first ask

        for (int i = 0; i < events; i++) {
            held.getFirst().onNext(WatchEvent.newBuilder().setMetric(Protos.ref(i % 2 == 0 ? A : B)).build());
        }

        assertThat(changed).hasSize(1 + events);
        assertThat(changed.getLast()).isEqualTo(A);
    }

    @ParameterizedTest(name = "a stream that {0}s after its opening event")
    @ValueSource(strings = {"fail", "complete"})
    void streamThatEndsAtOnce_isReopenedWithGrowingBackoff_andLoggedOnce(String ending) {
        for (int i = 0; i < 6; i++) {
            plan.add(ending);
        }
        watch(A);
        assertThat(requests).hasSize(1);

        // waits of 1s, 2s, 4s, 8s, 8s: each reopen exactly when its backoff ends, never earlier
        for (long wait : List.of(1L, 2L, 4L, 8L, 8L)) {
            int before = requests.size();
            time.forward(Duration.ofSeconds(wait).minusMillis(1));
            assertThat(requests).as("before the %ds wait ends", wait).hasSize(before);
            time.forward(Duration.ofMillis(1));
            assertThat(requests).as("when the %ds wait ends", wait).hasSize(before + 1);
        }
        assertThat(opened).as("each stream fetches the push metrics once").hasValue(6);
        assertThat(watchLines()).singleElement().asString()
                .contains(ending.equals("fail") ? "provider \"p\": Watch stream broke (UNAVAILABLE: broken by the test)"
                        : "provider \"p\" ended its Watch stream")
                .endsWith("; reconnecting with backoff (until a stream stays up for 30s, further ends are not logged)");
    }

    @Test
    void streamThatStaysUp30s_startsTheBackoffOver_andSaysSo() {
        plan.addAll(List.of("fail", "fail", "fail")); // then held open
        watch(A);
        time.forward(Duration.ofSeconds(1 + 2 + 4));
        assertThat(requests).hasSize(4);

        time.forward(Duration.ofSeconds(30));
        assertThat(watchLines()).last().asString()
                .isEqualTo("provider \"p\": Watch stream up again for 30s, after 3 failed attempts");
        held.getFirst().onError(Status.UNAVAILABLE.withDescription("later").asRuntimeException());

        assertThat(time.pendingDelays()).as("the backoff started over").containsExactly(Duration.ofSeconds(1));
        assertThat(watchLines()).last().asString().contains("Watch stream broke (UNAVAILABLE: later)");
    }

    @Test
    void streamThatEndsBefore30s_continuesTheBackoff_silently() {
        plan.addAll(List.of("fail", "fail", "fail"));
        watch(A);
        time.forward(Duration.ofSeconds(1 + 2 + 4));

        time.forward(Duration.ofSeconds(30).minusMillis(1));
        held.getFirst().onError(Status.UNAVAILABLE.asRuntimeException());

        assertThat(time.pendingDelays()).as("the fourth failure waits 8s").containsExactly(Duration.ofSeconds(8));
        assertThat(watchLines()).hasSize(1);
    }

    @Test
    void stayedUpRule_isTheRetryMax_whenThatIsLonger() {
        var patient = new WatchSession("p", MetricProviderGrpc.newStub(channel), sync, time.scheduler(), time.ticker(),
                BACKOFF, Duration.ofMinutes(2), new WatchSession.Listener() {
                    @Override
                    public void opened() {
                    }

                    @Override
                    public void changed(MetricKey key) {
                    }
                });

        assertThat(patient.stableAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(session.stableAfter()).isEqualTo(WatchSession.MIN_STABLE_WATCH);
    }

    @Test
    void unimplemented_isNotRetried_untilWatchIsCalledAgain() {
        plan.add("unimplemented");
        watch(A);

        time.forward(Duration.ofMinutes(10));

        assertThat(requests).hasSize(1);
        sync.execute(() -> assertThat(session.unimplemented()).isTrue());
        assertThat(watchLines()).singleElement().asString().contains("provider \"p\" does not implement Watch");
        watch(A);
        assertThat(requests).hasSize(2);
        sync.execute(() -> assertThat(session.unimplemented()).isFalse());
    }

    @Test
    void watch_withOtherMetrics_replacesTheStream_withoutCountingItsEndAsAFailure() {
        watch(A);

        watch(A, B);

        assertThat(requests).hasSize(2);
        assertThat(cancelled).hasValue(1);
        assertThat(time.pendingTasks()).as("no reconnect scheduled").isZero();
        assertThat(watchLines()).isEmpty();
    }

    @Test
    void stop_endsTheStreamAndAnyPendingReopen() {
        plan.add("fail");
        watch(A);
        assertThat(time.pendingTasks()).isEqualTo(1);

        sync.execute(() -> session.stop("test"));
        time.forward(Duration.ofMinutes(1));

        assertThat(requests).hasSize(1);
        watch(A);
        sync.execute(() -> session.stop("test"));
        assertThat(cancelled).hasValue(1);
    }

    @Test
    void watch_ofNoMetrics_opensNoStream() {
        watch();

        assertThat(requests).isEmpty();
        assertThat(opened).hasValue(0);
    }
}
