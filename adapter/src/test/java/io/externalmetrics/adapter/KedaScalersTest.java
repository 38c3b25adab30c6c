package io.externalmetrics.adapter;

import static io.externalmetrics.adapter.testing.TestAdapter.VALUES;
import static io.externalmetrics.adapter.testing.TestAdapter.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.Closer;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.FakeScaler;
import io.externalmetrics.adapter.testing.Kubectl;
import io.externalmetrics.adapter.testing.ListeningPort;
import io.externalmetrics.adapter.testing.PromText;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.proto.keda.GetMetricsRequest;
import io.externalmetrics.proto.keda.GetMetricsResponse;
import io.externalmetrics.proto.keda.MetricSpec;
import io.externalmetrics.proto.keda.MetricValue;
import io.externalmetrics.proto.v1.FetchResponse;
import io.grpc.Context;
import io.grpc.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * KEDA external scalers as providers ({@code protocol: kedaExternalScaler}): one in Java
 * ({@link FakeScaler}) and one in Python written from KEDA's proto ({@code examples/python-keda-scaler}),
 * behind one real adapter with a provider of our own protocol, read over HTTPS and by kubectl as the
 * HPA reads them. A scaler that fails, hangs or restarts gets what a native provider gets. Fails,
 * never skips, when Python's stubs or kubectl are missing: {@code scripts/setup-polyglot.sh} makes the stubs.
 */
class KedaScalersTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern LISTENING = Pattern.compile("listening on \\S*:(\\d+)");

    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path dir;
    private TestAdapter adapter;

    private FakeScaler scaler(int port) {
        return closer.register(FakeScaler.start(port));
    }

    private void startAdapter(String providersYaml) {
        adapter = closer.register(TestAdapter.withProviders(providersYaml));
    }

    private String served(String namespace, String metric) {
        return adapter.served(namespace, metric);
    }

    /** A scaler provider with short retries, its metrics to follow. */
    private static String scalerProvider(String name, int port) {
        return """
                  - name: %s
                    protocol: kedaExternalScaler
                    target: 127.0.0.1:%d
                    deadline: 1s
                    retry: {initial: 20ms, max: 200ms}
                    metrics:
                """.formatted(name, port);
    }

    @Test
    void scalersInJavaAndPython_andANativeProvider_oneAdapter_readOverHttpsAndByKubectl() throws Exception {
        FakeScaler java = scaler(0).specs(FakeScaler.spec("s0-rabbitmq-orders", 10))
                .value("s0-rabbitmq-orders", 7, 2.5);
        Process python = startPythonScaler();
        int pythonPort = pythonPort(python);
        send(python, "set orders 3.5");
        FakeProvider nativeProvider = closer.register(FakeProvider.start(0)).value("native", 4);
        startAdapter(scalerProvider("rabbit", java.port()) + """
                      - name: queue-lag
                        interval: 1s
                        scaledObjectRef: {name: orders, namespace: shop, scalerMetadata: {queueName: orders}}
                """ + scalerProvider("python", pythonPort) + """
                      - name: orders-depth
                        namespace: shop
                        interval: 1h
                        maxAge: 2h
                        scaledObjectRef: {name: orders, scalerMetadata: {queueName: orders, targetSize: "5"}}
                  - name: native
                    target: 127.0.0.1:%d
                    metrics: [{name: native, interval: 1s}]
                """.formatted(nativeProvider.port()));

        Await.until("every metric's value", WAIT, () -> served("shop", "queue-lag").equals("2500m")
                && served("shop", "orders-depth").equals("3500m") && served("shop", "native").equals("4"));

        GetMetricsRequest asked = java.lastRequest("s0-rabbitmq-orders").orElseThrow();
        assertThat(asked.getScaledObjectRef().getName()).isEqualTo("orders");
        assertThat(asked.getScaledObjectRef().getNamespace()).isEqualTo("shop");
        assertThat(asked.getScaledObjectRef().getScalerMetadataMap()).containsExactly(
                Map.entry("queueName", "orders"));
        Kubectl kubectl = new Kubectl(dir, adapter.port());
        assertThat(kubectl.getRaw(VALUES + "shop/queue-lag").at("/items/0/value").asText()).isEqualTo("2500m");
        assertThat(kubectl.getRaw(VALUES + "shop/orders-depth").at("/items/0/value").asText()).isEqualTo("3500m");
        assertThat(kubectl.getRaw(VALUES + "shop/native").at("/items/0/value").asText()).isEqualTo("4");

        // the Python scaler's metric is polled hourly: only its StreamIsActive message can bring this in
        send(python, "set orders 6");
        Await.until("the change announced on the Python scaler's StreamIsActive", WAIT,
                () -> served("shop", "orders-depth").equals("6"));
        assertThat(kubectl.getRaw(VALUES + "shop/orders-depth").at("/items/0/value").asText()).isEqualTo("6");
    }

    @Test
    void getMetricSpec_namesAndTargets_inInventoryAndExplain_theFirstNameIsTheDefault() {
        FakeScaler scaler = scaler(0)
                .specs(FakeScaler.spec("first", 10),
                        MetricSpec.newBuilder().setMetricName("second").setTargetSize(2).setTargetSizeFloat(2.5)
                                .build())
                .value("first", 1, 0).value("second", 2, 0);
        startAdapter(scalerProvider("rabbit", scaler.port()) + """
                      - name: a
                        scaledObjectRef: {name: orders}
                      - name: b
                        scaledObjectRef: {name: orders}
                        scalerMetricName: second
                """);

        Await.until("both values", WAIT, () -> served("default", "a").equals("1")
                && served("default", "b").equals("2"));
        Await.until("GetMetricSpec's answer in the inventory", WAIT,
                () -> inventoryDescribe().startsWith("GetMetricSpec ok"));

        assertThat(inventoryDescribe()).contains("metric */a is scaler metric \"first\" (target 10)",
                "metric */b is scaler metric \"second\" (target 2.5)");
        JsonNode explained = json(TestAdapter.ok(adapter.get("/debug/explain?namespace=default&metric=b")));
        assertThat(explained.at("/provider/describe").asText()).contains("scaler metric \"second\" (target 2.5)");
    }

    @Test
    void getMetricSpecRefusingOneRef_theOthersAreLearnedAtOnce_andTheRefusedOneIsAskedAgainUntilItAnswers() {
        FakeScaler scaler = scaler(0).specs(FakeScaler.spec("depth", 5)).value("depth", 1, 0)
                .refuseSpecOf("broken", true);
        startAdapter(scalerProvider("rabbit", scaler.port()) + """
                      - {name: good, interval: 100ms, scaledObjectRef: {name: orders}}
                      - {name: bad, interval: 1h, scaledObjectRef: {name: broken}}
                """);

        Await.until("the refused ref named in the inventory", WAIT,
                () -> inventoryDescribe().contains("metric */bad: GetMetricSpec failed: INVALID_ARGUMENT"));
        assertThat(inventoryDescribe()).startsWith("failing: 1 of 2 metrics");
        int goodSpecCalls = scaler.specCalls("orders");
        int fetches = scaler.getMetricsCalls();
        Await.until("ten more fetches of the good metric", WAIT, () -> scaler.getMetricsCalls() >= fetches + 10);
        assertThat(scaler.specCalls("orders")).as("its name was learned: its fetches do not ask GetMetricSpec")
                .isEqualTo(goodSpecCalls);
        assertThat(scaler.specCalls("broken")).as("the refused ref is retried with backoff").isGreaterThan(1);

        scaler.refuseSpecOf("broken", false);
        Await.until("all learned", WAIT, () -> inventoryDescribe().startsWith("GetMetricSpec ok: 2 metrics"));
        assertThat(inventoryDescribe()).contains("metric */bad is scaler metric \"depth\" (target 5)");
    }

    @Test
    void getMetricSpecRefusingARefOfTwoMetrics_failsBoth_andEachRetryAsksOnlyThatRefOnce() {
        FakeScaler scaler = scaler(0).specs(FakeScaler.spec("depth", 5)).value("depth", 1, 0)
                .refuseSpecOf("broken", true);
        // every scalerMetricName is configured: no fetch asks GetMetricSpec, only the rounds do
        startAdapter(scalerProvider("rabbit", scaler.port()) + """
                      - {name: good, interval: 1h, scaledObjectRef: {name: orders}, scalerMetricName: depth}
                      - {name: bad, interval: 1h, scaledObjectRef: {name: broken}, scalerMetricName: depth}
                      - {name: worse, interval: 1h, scaledObjectRef: {name: broken}, scalerMetricName: depth}
                """);

        Await.until("both metrics of the refused ref named in the inventory", WAIT,
                () -> inventoryDescribe().contains("metric */bad: GetMetricSpec failed: INVALID_ARGUMENT")
                        && inventoryDescribe().contains("metric */worse: GetMetricSpec failed: INVALID_ARGUMENT"));
        assertThat(inventoryDescribe()).startsWith("failing: 2 of 3 metrics");
        Await.until("a few retries", WAIT, () -> scaler.specCalls("broken") >= 3);

        scaler.refuseSpecOf("broken", false);
        Await.until("all learned", WAIT, () -> inventoryDescribe().startsWith("GetMetricSpec ok: 3 metrics"));
        double failedRounds = PromText.parse(TestAdapter.ok(adapter.get("/metrics")).body())
                .get("externalmetrics_provider_describe_failures_total", Map.of("provider", "rabbit"));
        assertThat(scaler.specCalls("broken")).as("one call per round (each failed one, then the one that "
                + "answered) for the ref both metrics share").isEqualTo((int) failedRounds + 1);
        assertThat(scaler.specCalls("orders")).as("the retries ask only the failed ref").isEqualTo(1);
    }

    @Test
    void getMetricSpecListingNoName_failsTheMetricWithoutAskingAgainEachTick() {
        FakeScaler scaler = scaler(0).value("depth", 1, 0);
        startAdapter(scalerProvider("rabbit", scaler.port()) + """
                      - {name: nameless, interval: 100ms, scaledObjectRef: {name: orders}}
                """);

        Await.until("the metric's error", WAIT, () -> served("default", "nameless").startsWith("503"));
        assertThat(served("default", "nameless")).contains("GetMetricSpec lists no metric name (configure "
                + "scalerMetricName)");
        Await.until("the learning round over", WAIT, () -> inventoryDescribe().startsWith("GetMetricSpec ok"));
        int specCalls = scaler.specCalls();
        long failures = adapter.cache().inventory().getFirst().failure().orElseThrow().count();
        Await.until("ten more failed ticks", WAIT, () -> adapter.cache().inventory().getFirst().failure()
                .orElseThrow().count() >= failures + 10);
        assertThat(scaler.specCalls()).as("learned that it lists none: not asked on each tick").isEqualTo(specCalls);
    }

    private String inventoryDescribe() {
        return json(TestAdapter.ok(adapter.get("/debug/inventory"))).at("/providers/0/describe").asText();
    }

    @Test
    void streamIsActive_eachMessageFetchesAtOnce_likeWatch() {
        AtomicLong depth = new AtomicLong(1);
        FakeScaler scaler = scaler(0).specs(FakeScaler.spec("depth", 5)).metric("depth", request -> reply(
                "depth", depth.get()));
        startAdapter(scalerProvider("rabbit", scaler.port()) + """
                      - {name: depth, interval: 1h, maxAge: 2h, scaledObjectRef: {name: orders}}
                """);
        Await.until("the first value and an open StreamIsActive stream", WAIT,
                () -> served("default", "depth").equals("1") && scaler.openStreams() == 1);

        depth.set(2);
        scaler.activityChanged(true);

        Await.until("the value after a StreamIsActive message (the next tick is an hour away)", WAIT,
                () -> served("default", "depth").equals("2"));
    }

    @Test
    void metricsSharingAScaledObjectRef_shareOneGetMetricSpecCallAndOneStream_anotherRefKeepsItsOwn() {
        AtomicLong depth = new AtomicLong(1);
        FakeScaler scaler = scaler(0).specs(FakeScaler.spec("depth", 5), FakeScaler.spec("rate", 2))
                .metric("depth", request -> reply("depth", depth.get()))
                .metric("rate", request -> reply("rate", depth.get() * 10));
        startAdapter(scalerProvider("rabbit", scaler.port()) + """
                      - {name: depth, interval: 1h, maxAge: 2h, scaledObjectRef: {name: orders},
                         scalerMetricName: depth}
                      - {name: rate, interval: 1h, maxAge: 2h, scaledObjectRef: {name: orders},
                         scalerMetricName: rate}
                      - {name: other, interval: 1h, maxAge: 2h, scaledObjectRef: {name: invoices},
                         scalerMetricName: depth}
                """);
        // every scalerMetricName is configured: no fetch asks GetMetricSpec, only the round does
        Await.until("every value, the round of GetMetricSpec over, and the StreamIsActive streams open", WAIT,
                () -> served("default", "depth").equals("1") && served("default", "rate").equals("10")
                        && served("default", "other").equals("1")
                        && inventoryDescribe().startsWith("GetMetricSpec ok: 3 metrics")
                        && scaler.openStreams() >= 2);

        assertThat(scaler.specCalls("orders")).as("one GetMetricSpec call for the ref both metrics share")
                .isEqualTo(1);
        assertThat(scaler.specCalls("invoices")).as("the other ref's own call").isEqualTo(1);
        assertThat(inventoryDescribe()).contains("metric */depth is scaler metric \"depth\" (target 5)",
                "metric */rate is scaler metric \"rate\" (target 2)",
                "metric */other is scaler metric \"depth\" (target 5)");
        assertThat(scaler.openStreams("orders")).as("one StreamIsActive stream per ScaledObject").isEqualTo(1);
        assertThat(scaler.openStreams("invoices")).isEqualTo(1);

        depth.set(2);
        scaler.activityChanged("orders", true);
        Await.until("both metrics of the ref fetched after its stream's message (the next tick is an hour away)",
                WAIT, () -> served("default", "depth").equals("2") && served("default", "rate").equals("20"));
        assertThat(served("default", "other")).as("the other ref's stream sent nothing").isEqualTo("1");
        scaler.activityChanged("invoices", true);
        Await.until("the other ref's metric fetched after its own stream's message", WAIT,
                () -> served("default", "other").equals("2"));
    }

    @Test
    void scalerWithoutStreamIsActive_isPolledOnItsInterval_andNotAskedForStreamsAgainUntilItReconnects() {
        AtomicLong depth = new AtomicLong(1);
        FakeScaler scaler = scaler(0).streamsImplemented(false).specs(FakeScaler.spec("depth", 5))
                .metric("depth", request -> reply("depth", depth.incrementAndGet()));
        startAdapter(scalerProvider("rabbit", scaler.port()) + """
                      - {name: depth, interval: 100ms, scaledObjectRef: {name: orders}}
                """);

        Await.until("ten polls", WAIT, () -> scaler.getMetricsCalls() >= 10);
        assertThat(Long.parseLong(served("default", "depth"))).isGreaterThan(1);
        assertThat(scaler.streamCalls()).as("UNIMPLEMENTED is an answer, not a broken stream to reopen")
                .isEqualTo(1);

        scaler.close(); // restarted as a version with StreamIsActive
        scaler.streamsImplemented(true).restart();
        Await.until("a StreamIsActive stream after the reconnect", WAIT, () -> scaler.openStreams() == 1);
    }

    @Test
    void metricValueFloat_winsOverMetricValue_whenSet() {
        FakeScaler scaler = scaler(0).specs(FakeScaler.spec("both", 1), FakeScaler.spec("whole", 1))
                .value("both", 3, 0.25).value("whole", 3, 0);
        startAdapter(scalerProvider("rabbit", scaler.port()) + """
                      - {name: both, scaledObjectRef: {name: o}, scalerMetricName: both}
                      - {name: whole, scaledObjectRef: {name: o}, scalerMetricName: whole}
                """);

        Await.until("both values", WAIT, () -> served("default", "both").equals("250m")
                && served("default", "whole").equals("3"));
    }

    @Test
    void failingScaler_isA503NamingTheProviderAndTheScalersError_thenRecovers() {
        FakeScaler scaler = scaler(0).specs(FakeScaler.spec("lag", 5)).metric("lag", request -> {
            throw Status.UNAVAILABLE.withDescription("queue backend down").asRuntimeException();
        });
        startAdapter(scalerProvider("rabbit", scaler.port()) + """
                      - {name: lag, interval: 1s, scaledObjectRef: {name: orders}}
                """);

        // not just any 503: before the first fetch failed, the read is a 503 saying no value came yet
        Await.until("a 503 with the scaler's error", WAIT, () -> served("default", "lag").startsWith("503")
                && served("default", "lag").contains("UNAVAILABLE"));
        assertThat(served("default", "lag")).startsWith("503 metric \"lag\" in namespace \"default\": provider "
                + "\"rabbit\"").contains("UNAVAILABLE: queue backend down");

        scaler.value("lag", 9, 0);
        Await.until("recovery", WAIT, () -> served("default", "lag").equals("9"));
    }

    @Test
    void hangingScaler_isA503NamingTheDeadline_whileANativeProviderIsServed() {
        FakeScaler scaler = scaler(0).specs(FakeScaler.spec("lag", 5))
                .metric("lag", request -> hangUntilCancelled());
        AtomicLong counter = new AtomicLong();
        FakeProvider quick = closer.register(FakeProvider.start(0))
                .metric("quick", request -> FetchResponse.newBuilder().setValue(counter.incrementAndGet()).build());
        startAdapter(scalerProvider("rabbit", scaler.port()) + """
                      - {name: lag, interval: 2s, scaledObjectRef: {name: orders}}
                  - name: quick
                    target: 127.0.0.1:%d
                    metrics: [{name: quick, interval: 100ms, maxAge: 1m}]
                """.formatted(quick.port()));

        Await.until("the hanging scaler's deadline to pass", WAIT, () -> served("default", "lag").startsWith("503")
                && served("default", "lag").contains("DEADLINE_EXCEEDED"));
        long before = counter.get();
        Await.until("newer values of the native provider meanwhile", WAIT, () -> counter.get() >= before + 5);
        assertThat(served("default", "lag")).contains("provider \"rabbit\"");
    }

    @Test
    void scalerKilledAndRestartedOnTheSamePort_valuesResume_andGetMetricSpecIsAskedAgain() {
        FakeScaler scaler = scaler(0).specs(FakeScaler.spec("lag", 5)).value("lag", 1, 0);
        startAdapter(scalerProvider("rabbit", scaler.port()) + """
                      - {name: lag, interval: 100ms, scaledObjectRef: {name: orders}}
                """);
        Await.until("the first value", WAIT, () -> served("default", "lag").equals("1"));
        int specCalls = scaler.specCalls();

        scaler.close();
        Await.until("a recorded failure", WAIT, () -> adapter.cache().inventory().getFirst().failure().isPresent());
        scaler.value("lag", 2, 0).restart();

        Await.until("the restarted scaler's value", WAIT, () -> served("default", "lag").equals("2"));
        Await.until("GetMetricSpec asked again after the reconnect", WAIT, () -> scaler.specCalls() > specCalls);
    }

    private static GetMetricsResponse reply(String name, long value) {
        return GetMetricsResponse.newBuilder().addMetricValues(MetricValue.newBuilder().setMetricName(name)
                .setMetricValue(value)).build();
    }

    /** A call that answers nothing until the adapter gives up on it (its deadline) or the test ends. */
    private static GetMetricsResponse hangUntilCancelled() throws InterruptedException {
        var cancelled = new CountDownLatch(1);
        Context.current().addListener(context -> cancelled.countDown(), Runnable::run);
        cancelled.await();
        throw Status.CANCELLED.asRuntimeException();
    }

    // ---- the Python scaler, a process of its own

    private Process startPythonScaler() throws IOException {
        Path root = repositoryRoot();
        Path scaler = root.resolve("examples/python-keda-scaler");
        if (!Files.isRegularFile(scaler.resolve("generated/externalscaler/externalscaler_pb2.py"))) {
            throw new AssertionError("the Python KEDA scaler's stubs are missing: run scripts/setup-polyglot.sh");
        }
        Path stderr = dir.resolve("python-scaler.stderr");
        Process process = new ProcessBuilder("/usr/bin/python3", scaler.resolve("scaler.py").toString(), "--port", "0")
                .directory(root.toFile())
                .redirectError(stderr.toFile())
                .start();
        closer.register(() -> {
            process.destroy(); // SIGTERM: the scaler exits cleanly on it
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        });
        return process;
    }

    private int pythonPort(Process process) throws Exception {
        CompletableFuture<Integer> port = ListeningPort.of(process, LISTENING, "python-scaler-stdout");
        try {
            return port.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the Python KEDA scaler did not print \"listening on HOST:PORT\"; stderr:\n"
                    + Files.readString(dir.resolve("python-scaler.stderr"), StandardCharsets.UTF_8), e);
        }
    }

    private static void send(Process process, String line) throws IOException {
        OutputStream stdin = process.getOutputStream();
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    private static Path repositoryRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path d = cwd; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("examples")) && Files.isDirectory(d.resolve("adapter"))) {
                return d;
            }
        }
        throw new AssertionError("cannot find the repository root from " + cwd);
    }
}
