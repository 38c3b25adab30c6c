package io.externalmetrics.adapter;

import static io.externalmetrics.adapter.testing.TestAdapter.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.Closer;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.adapter.testing.LoopbackGrpc;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.proto.v1.DescribeRequest;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.MetricDescriptor;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.MetricRef;
import io.externalmetrics.proto.v1.Push;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Providers that describe unusable metrics or whose Watch streams misbehave, against the real
 * adapter over HTTPS: what an HPA reads and what an operator finds in the log and the inventory.
 */
class MisbehavingProvidersTest {

    // generous: the reasons asserted below must show up even on a slow CI machine
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long TEN_THOUSAND_YEARS = 10_000L * 365 * 24 * 3600;

    @RegisterExtension
    final Closer closer = new Closer();
    private LogRecords log;
    private TestAdapter adapter;

    @BeforeEach
    void captureLog() {
        log = closer.register(LogRecords.of("io.externalmetrics.adapter.provider.ProviderRuntime"));
    }

    static Stream<Arguments> unusableDescriptors() {
        return Stream.of(
                Arguments.of("an interval of 1s and -2e9 nanos",
                        descriptor("bad").setInterval(duration(1, -2_000_000_000)),
                        "interval is not a valid duration (seconds 1, nanos -2000000000): "
                                + "nanos must be within +-999999999 and have the sign of seconds"),
                Arguments.of("an interval of 10,000 years",
                        descriptor("bad").setInterval(duration(TEN_THOUSAND_YEARS, 0)),
                        "interval must be at most 365 days, got 87600000h"),
                Arguments.of("a max age of 10,000 years",
                        descriptor("bad").setPush(Push.getDefaultInstance())
                                .setMaxAge(duration(TEN_THOUSAND_YEARS, 0)),
                        "max_age must be at most 365 days, got 87600000h"),
                Arguments.of("an interval of 1ns",
                        descriptor("bad").setInterval(duration(0, 1)),
                        "interval must be at least 10ms, got 1ns"),
                Arguments.of("a negative max age",
                        descriptor("bad").setInterval(duration(1, 0)).setMaxAge(duration(-5, 0)),
                        "max_age must be positive"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableDescriptors")
    void describe_unusableDuration_skipsOnlyThatMetric_andSaysWhy(String what, MetricDescriptor.Builder bad,
                                                                   String reason) {
        FakeProvider provider = provider(0).value("good", 1).value("bad", 2)
                .describe(FakeProvider.interval("good", Duration.ofMillis(50)), bad.build());
        startAdapter(providerYaml("p", provider.port()));

        Await.until("the good metric", WAIT, () -> served("good").equals("1"));

        assertThat(served("bad")).startsWith("404");
        String skipped = "metric \"bad\" in namespace \"*\": " + reason;
        assertThat(inventory().get("providers").get(0).get("describe").asText())
                .isEqualTo("ok: 1 metrics; skipped 1: " + skipped);
        assertThat(log.atLeast(Level.WARNING)).singleElement().asString()
                .isEqualTo("provider \"p\": Describe lists " + skipped.replaceFirst(": ", ", which cannot be served: ")
                        + "; skipping it");
    }

    @Test
    void shortestInterval_fetchDeadlineIsStillLongEnoughToReachTheProvider() {
        FakeProvider provider = provider(0).value("m", 5);
        // half the interval would be 5ms: the deadline is raised to the 10ms floor
        startAdapter(providerYaml("p", provider.port()) + "    metrics: [{name: m, interval: 10ms, maxAge: 1m}]\n");

        Await.until("a value fetched in time", WAIT, () -> served("m").equals("5"));
    }

    @Test
    void providerWithoutWatch_restartedWithWatch_eventsReachTheAdapter() throws InterruptedException {
        Server withoutWatch = serve(0, new PushProvider());
        int port = withoutWatch.getPort();
        startAdapter(providerYaml("p", port));
        Await.until("Watch answered UNIMPLEMENTED", WAIT, () -> log.atLeast(Level.INFO).stream()
                .anyMatch(line -> line.contains("does not implement Watch")));
        assertThat(served("pushed")).isEqualTo("1");

        LoopbackGrpc.kill(withoutWatch); // the port is free again
        AtomicLong value = new AtomicLong(2);
        FakeProvider withWatch = provider(port)
                .describe(FakeProvider.push("pushed", Duration.ofMinutes(10)),
                        FakeProvider.interval("ticking", Duration.ofMillis(50)))
                .value("ticking", 1)
                .metric("pushed", request -> FetchResponse.newBuilder().setValue(value.get()).build());

        Await.until("a Watch stream to the restarted provider", WAIT, () -> withWatch.openWatchStreams() == 1);
        Await.until("the value fetched on reconnect", WAIT, () -> served("pushed").equals("2"));
        value.set(3);
        withWatch.fire("pushed");
        Await.until("the value fetched after the event", WAIT, () -> served("pushed").equals("3"));
    }

    // ---- helpers

    /**
     * Serves "pushed" (a push metric) and "ticking" (every 50ms, so the channel notices a restart),
     * both with value 1; its Watch is UNIMPLEMENTED unless overridden.
     */
    private static class PushProvider extends MetricProviderGrpc.MetricProviderImplBase {

        @Override
        public void describe(DescribeRequest request, StreamObserver<DescribeResponse> responses) {
            responses.onNext(DescribeResponse.newBuilder()
                    .addMetrics(FakeProvider.push("pushed", Duration.ofMinutes(10)))
                    .addMetrics(FakeProvider.interval("ticking", Duration.ofMillis(50)))
                    .build());
            responses.onCompleted();
        }

        @Override
        public void fetch(FetchRequest request, StreamObserver<FetchResponse> responses) {
            responses.onNext(FetchResponse.newBuilder().setValue(1).build());
            responses.onCompleted();
        }
    }

    private static MetricRef ref(String name) {
        return MetricRef.newBuilder().setNamespace("*").setName(name).build();
    }

    /** Serves {@code service} on 127.0.0.1 at {@code port} (0: a free one) until the test ends. */
    private Server serve(int port, BindableService service) {
        Server server = LoopbackGrpc.listen(port, service);
        closer.register(() -> LoopbackGrpc.kill(server));
        return server;
    }

    private static MetricDescriptor.Builder descriptor(String name) {
        return MetricDescriptor.newBuilder().setMetric(MetricRef.newBuilder().setNamespace("*").setName(name));
    }

    private static com.google.protobuf.Duration duration(long seconds, int nanos) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    }

    private FakeProvider provider(int port) {
        return closer.register(FakeProvider.start(port));
    }

    private static String providerYaml(String name, int port) {
        return """
                  - name: %s
                    target: 127.0.0.1:%d
                    deadline: 10s
                    retry: {initial: 10ms, max: 1s}
                """.formatted(name, port);
    }

    private void startAdapter(String providersYaml) {
        adapter = closer.register(TestAdapter.withProviders(providersYaml));
    }

    private String served(String metric) {
        return adapter.served(metric);
    }

    private JsonNode inventory() {
        return json(adapter.get("/debug/inventory"));
    }
}
