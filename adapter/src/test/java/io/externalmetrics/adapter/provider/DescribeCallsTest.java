package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.testing.FakeClock;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.proto.v1.DescribeRequest;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.SynchronizationContext;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Describe calls on virtual time against in-process providers: retries exactly when their backoff ends. */
@Timeout(30)
class DescribeCallsTest {

    /** Every backoff wait at its ceiling (no jitter): 1s, 2s, 4s, 4s, ... */
    private static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(4), Jitter.HIGHEST);

    private final FakeClock time = new FakeClock();
    private final SynchronizationContext sync = new SynchronizationContext((thread, error) -> {
        throw new AssertionError(error);
    });
    private final LogRecords log = LogRecords.of(ProviderRuntime.class.getName());
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private final FakeProvider provider = FakeProvider.inProcess();
    private ManagedChannel channel = provider.inProcessChannel();
    private boolean applyFails;

    @AfterEach
    void close() {
        channel.shutdownNow();
        provider.close();
        log.close();
    }

    private DescribeCalls calls() {
        return new DescribeCalls("p", "127.0.0.1:1", MetricProviderGrpc.newStub(channel), Duration.ofSeconds(30), sync,
                time.scheduler(), time.ticker(), BACKOFF, new DescribeCalls.Listener() {
                    @Override
                    public void described(DescribeResponse reply) {
                        if (applyFails) {
                            throw new IllegalStateException("cannot apply");
                        }
                        heard.add("described " + reply.getMetricsCount());
                    }

                    @Override
                    public void unimplemented() {
                        heard.add("unimplemented");
                    }

                    @Override
                    public void failing(String why) {
                        heard.add("failing: " + why);
                    }
                });
    }

    /** Calls to a provider that is not there: each fails UNAVAILABLE at once. */
    private DescribeCalls callsToNobody() {
        channel.shutdownNow();
        channel = InProcessChannelBuilder.forName("nobody-" + System.identityHashCode(this)).directExecutor().build();
        return calls();
    }

    @Test
    void start_providerAnswers_theListenerHearsTheReply() {
        provider.describe(FakeProvider.interval("m", Duration.ofSeconds(1)));

        sync.execute(calls()::start);

        assertThat(heard).containsExactly("described 1");
        assertThat(time.pendingTasks()).isZero();
    }

    @Test
    void start_unimplemented_isNotRetried() {
        sync.execute(calls()::start); // a FakeProvider without descriptors answers UNIMPLEMENTED

        time.forward(Duration.ofMinutes(1));

        assertThat(heard).containsExactly("unimplemented");
        assertThat(provider.describeCalls()).isEqualTo(1);
    }

    @Test
    void failingCall_isRetriedWhenEachBackoffEnds_andLoggedOnce() {
        DescribeCalls calls = callsToNobody();
        sync.execute(calls::start);
        assertThat(heard).hasSize(1).allMatch(line -> line.startsWith("failing: UNAVAILABLE"));

        for (long wait : List.of(1L, 2L, 4L, 4L)) {
            int before = heard.size();
            time.forward(Duration.ofSeconds(wait).minusMillis(1));
            assertThat(heard).as("before the %ds wait ends", wait).hasSize(before);
            time.forward(Duration.ofMillis(1));
            assertThat(heard).as("when the %ds wait ends", wait).hasSize(before + 1);
        }
        assertThat(log.atLeast(Level.WARNING)).singleElement().asString()
                .startsWith("provider \"p\" at 127.0.0.1:1: Describe failed (UNAVAILABLE");
    }

    @Test
    void failingCall_restartedOnEveryReconnect_isLoggedOncePer30s_withHowOftenItRecurred() {
        DescribeCalls calls = callsToNobody();

        for (int reconnect = 0; reconnect < 40; reconnect++) { // a provider whose connection keeps coming back
            sync.execute(calls::start);
            time.forward(Duration.ofSeconds(1));
        }

        assertThat(log.atLeast(Level.WARNING)).hasSize(2)
                .last().asString().startsWith("provider \"p\" at 127.0.0.1:1: Describe failed (UNAVAILABLE")
                .endsWith("; retrying (again 29 times since it was last logged)");
    }

    @Test
    void replyThatCannotBeApplied_isRetriedWithBackoff_andItsStackTraceLoggedOnce() {
        provider.describe(FakeProvider.interval("m", Duration.ofSeconds(1)));
        applyFails = true;
        DescribeCalls calls = calls();
        sync.execute(calls::start);
        time.forward(Duration.ofSeconds(1 + 2));
        assertThat(provider.describeCalls()).isEqualTo(3);

        applyFails = false;
        time.forward(Duration.ofSeconds(4));

        assertThat(heard).containsExactly("failing: IllegalStateException: cannot apply",
                "failing: IllegalStateException: cannot apply", "failing: IllegalStateException: cannot apply",
                "described 1");
        assertThat(log.atLeast(Level.SEVERE)).singleElement().asString()
                .isEqualTo("provider \"p\": applying its Describe reply failed; retrying with backoff "
                        + "[java.lang.IllegalStateException: cannot apply]");
    }

    @Test
    void start_again_supersedesThePendingRetry() {
        DescribeCalls calls = callsToNobody();
        sync.execute(calls::start);
        time.forward(Duration.ofMillis(500));

        sync.execute(calls::start); // a reconnect: a new first attempt
        time.forward(Duration.ofMillis(999));

        assertThat(heard).as("the first call's retry (due at 1s) never ran").hasSize(2);
        time.forward(Duration.ofMillis(1));
        assertThat(heard).hasSize(3);
    }

    @Test
    void stop_cancelsTheRetry() {
        DescribeCalls calls = callsToNobody();
        sync.execute(calls::start);

        sync.execute(calls::stop);
        time.forward(Duration.ofMinutes(1));

        assertThat(heard).hasSize(1);
        assertThat(time.pendingTasks()).isZero();
    }

    @Test
    void start_again_whileACallIsInFlight_theNewestCallsAnswerWins() throws Exception {
        // a provider that answers each Describe only when the test says
        List<StreamObserver<DescribeResponse>> pending = new CopyOnWriteArrayList<>();
        String name = "held-" + System.identityHashCode(this);
        Server server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new MetricProviderGrpc.MetricProviderImplBase() {
                    @Override
                    public void describe(DescribeRequest request, StreamObserver<DescribeResponse> answer) {
                        pending.add(answer);
                    }
                })
                .build().start();
        try {
            channel.shutdownNow();
            channel = InProcessChannelBuilder.forName(name).directExecutor().build();
            DescribeCalls calls = calls();
            sync.execute(calls::start);
            sync.execute(calls::start); // a reconnect while the first call is still unanswered
            assertThat(pending).hasSize(2);

            answer(pending.get(1), 2);
            answer(pending.get(0), 1); // the older call's answer comes last: the provider as it was

            assertThat(heard).containsExactly("described 2");
        } finally {
            server.shutdownNow();
        }
    }

    private static void answer(StreamObserver<DescribeResponse> call, int metrics) {
        var reply = DescribeResponse.newBuilder();
        for (int i = 0; i < metrics; i++) {
            reply.addMetrics(FakeProvider.interval("m" + i, Duration.ofSeconds(1)));
        }
        call.onNext(reply.build());
        call.onCompleted();
    }
}
