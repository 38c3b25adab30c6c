package io.externalmetrics.provider.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.Series;
import io.externalmetrics.provider.EventTrigger;
import io.externalmetrics.provider.MetricKey;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.TlsTesting;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderTesterTest {

    private static final MetricKey QUEUE = new MetricKey(Namespace.DEFAULT, "queue-depth");
    private static final MetricKey PUSHED = MetricKey.forAllNamespaces("pushed");

    private final EventTrigger changed = Trigger.onEvent();

    @Test
    void fetch_returnsTheValueTheAdapterWouldReceive() {
        Instant observed = Instant.parse("2026-11-30T12:00:00.5Z");
        try (var tester = ProviderTester.of(provider(request -> Value.of(3)
                .withSelector("queue", "orders", 2)
                .withSeries(Map.of("queue", "invoices", "zone", "eu"), 1)
                .observedAt(observed)
                .window(Duration.ofSeconds(60))))) {

            Value value = tester.fetch(QUEUE);

            assertThat(value).isEqualTo(Value.of(3)
                    .withSelector("queue", "orders", 2)
                    .withSeries(Map.of("queue", "invoices", "zone", "eu"), 1)
                    .observedAt(observed)
                    .window(Duration.ofSeconds(60)));
        }
    }

    @Test
    void fetch_valueWithoutTime_carriesTheTimeTheServerStamped() {
        try (var tester = ProviderTester.of(provider(request -> Value.of(1)))) {
            Instant before = Instant.now();

            Value value = tester.fetch(Namespace.DEFAULT, "queue-depth");

            assertThat(value.observedAt()).hasValueSatisfying(at -> assertThat(at).isBetween(before, Instant.now()));
        }
    }

    @Test
    void fetch_unknownMetric_throwsTheProvidersNotFound() {
        try (var tester = ProviderTester.of(provider(request -> Value.of(1)))) {
            assertThatThrownBy(() -> tester.fetch(MetricKey.forAllNamespaces("missing")))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isEqualTo(Status.Code.NOT_FOUND))
                    .hasMessageContaining("\"queue-depth\" in \"default\"");
        }
    }

    @Test
    void fetch_functionPastTheDeadline_throwsDeadlineExceeded() {
        try (var tester = ProviderTester.of(provider(request -> {
            new CountDownLatch(1).await(); // never returns: the function ignores its deadline until interrupted
            return Value.of(1);
        }))) {
            assertThatThrownBy(() -> tester.fetch(QUEUE, Duration.ofMillis(200)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        }
    }

    @Test
    void fetch_replyBreakingTheContract_failsTheTestSayingWhy() {
        var nan = new MetricProviderGrpc.MetricProviderImplBase() {
            @Override
            public void fetch(FetchRequest request, StreamObserver<FetchResponse> response) {
                response.onNext(FetchResponse.newBuilder()
                        .addSeries(Series.newBuilder().putLabels("queue", "orders").setValue(Double.NaN))
                        .build());
                response.onCompleted();
            }
        };
        try (var tester = ProviderTester.of(nan)) {
            assertThatThrownBy(() -> tester.fetch(QUEUE))
                    .isInstanceOf(AssertionError.class)
                    .hasMessage("the reply to Fetch of metric \"queue-depth\" in namespace \"default\" breaks the"
                            + " provider contract: value must be a finite number, got NaN");
        }
    }

    @Test
    void describe_listsEachMetricWithTriggerAndMaxAge() {
        try (var tester = ProviderTester.of(MetricProviderServer.builder()
                .addMetric(QUEUE.namespace(), QUEUE.name(), Trigger.every(Duration.ofSeconds(5)),
                        request -> Value.of(1))
                .addMetric(PUSHED.namespace(), PUSHED.name(), changed, Duration.ofMinutes(2),
                        request -> Value.of(2))
                .build())) {

            assertThat(tester.describe()).containsExactly(
                    MetricDescription.interval(QUEUE, Duration.ofSeconds(5)),
                    MetricDescription.push(PUSHED).withMaxAge(Duration.ofMinutes(2)));
            assertThat(tester.describe()).extracting(MetricDescription::push).containsExactly(false, true);
        }
    }

    @Test
    void describe_providerWithoutDescribe_throwsUnimplemented() {
        try (var tester = ProviderTester.of(new MetricProviderGrpc.MetricProviderImplBase() { })) {
            assertThatThrownBy(tester::describe)
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isEqualTo(Status.Code.UNIMPLEMENTED));
        }
    }

    @Test
    void watch_aChangeFiredRightAfterWatchReturns_isRecorded() {
        try (var tester = ProviderTester.of(pushProvider())) {
            for (int i = 0; i < 20; i++) { // a stream taken late would miss one of these changes
                try (WatchRecording events = tester.watch(PUSHED)) {
                    changed.fire(); // no wait in between: watch() returned once the provider had the stream

                    assertThat(events.awaitEvents(2)).as("the opening event, then the change")
                            .containsExactly(PUSHED, PUSHED);
                }
            }
        }
    }

    @Test
    void watch_tooFewEvents_failsListingWhatArrived() {
        try (var tester = ProviderTester.of(pushProvider());
                WatchRecording events = tester.watch()) {

            events.awaitEvents(1); // the opening event, so the short wait below can only miss the second
            assertThatThrownBy(() -> events.awaitEvents(2, Duration.ofMillis(100)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessage("expected 2 Watch events, got 1 [metric \"pushed\" in namespace \"*\"] within PT0.1S");
        }
    }

    @Test
    void watch_providerClosed_endsTheStreamOk() {
        MetricProviderServer provider = pushProvider();
        try (var tester = ProviderTester.of(provider);
                WatchRecording events = tester.watch()) {
            provider.close();

            assertThat(events.awaitEnd()).isEqualTo(Status.OK);
        }
    }

    @Test
    void close_cancelsOpenWatchStreams() {
        WatchRecording events;
        try (var tester = ProviderTester.of(pushProvider())) {
            events = tester.watch();
        }

        assertThat(events.awaitEnd().getCode()).isEqualTo(Status.Code.CANCELLED);
    }

    @Test
    void watch_providerWithoutWatch_endsUnimplemented() {
        try (var tester = ProviderTester.of(new MetricProviderGrpc.MetricProviderImplBase() { });
                WatchRecording events = tester.watch()) {

            assertThat(events.awaitEnd().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
        }
    }

    @Test
    void connect_providerServingTlsWithTlsTestingCertificates_fetches(@TempDir Path dir) throws IOException {
        // grpc-testing's server1 certificate names *.test.google.fr, signed by its ca.pem
        try (var served = MetricProviderServer.builder()
                .port(0)
                .tls(copy("server1.pem", dir), copy("server1.key", dir))
                .addMetric(QUEUE.namespace(), QUEUE.name(), Trigger.every(Duration.ofSeconds(5)),
                        request -> Value.of(7))
                .build()
                .start()) {
            ManagedChannel channel;
            try (InputStream ca = TlsTesting.loadCert("ca.pem")) {
                channel = Grpc.newChannelBuilderForAddress("127.0.0.1", served.port(),
                                TlsChannelCredentials.newBuilder().trustManager(ca).build())
                        .overrideAuthority("provider.test.google.fr")
                        .build();
            }
            try (var tester = ProviderTester.connect(channel)) {
                assertThat(tester.fetch(QUEUE).value()).hasValue(7);
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void classpath_ofATestUsingTheTester_hasNoJUnit4() {
        // grpc-testing depends on JUnit 4 for its rules; this module excludes it, and works without it
        assertThatThrownBy(() -> Class.forName("org.junit.Rule")).isInstanceOf(ClassNotFoundException.class);
    }

    private static Path copy(String certificate, Path dir) throws IOException {
        Path file = dir.resolve(certificate);
        try (InputStream in = TlsTesting.loadCert(certificate)) {
            Files.copy(in, file);
        }
        return file;
    }

    private static MetricProviderServer provider(io.externalmetrics.provider.MetricFunction function) {
        return MetricProviderServer.builder()
                .addMetric(QUEUE.namespace(), QUEUE.name(), Trigger.every(Duration.ofSeconds(5)), function)
                .build();
    }

    private MetricProviderServer pushProvider() {
        return MetricProviderServer.builder()
                .addMetric(PUSHED.namespace(), PUSHED.name(), changed, request -> Value.of(1))
                .build();
    }
}
