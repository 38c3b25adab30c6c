package io.externalmetrics.adapter;

import static io.externalmetrics.adapter.testing.TestAdapter.VALUES;
import static io.externalmetrics.adapter.testing.TestAdapter.items;
import static io.externalmetrics.adapter.testing.TestAdapter.json;
import static io.externalmetrics.adapter.testing.TestAdapter.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.externalmetrics.adapter.check.CheckProvider;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.k8s.Quantity;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.ListeningPort;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.proto.v1.DescribeRequest;
import io.externalmetrics.proto.v1.FetchRequest;
import io.externalmetrics.proto.v1.MetricDescriptor;
import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.externalmetrics.proto.v1.MetricRef;
import io.externalmetrics.proto.v1.WatchEvent;
import io.externalmetrics.proto.v1.WatchRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The example providers in Python, Node.js and Go ({@code examples/*-provider}), each a separate
 * process on a loopback port, served at once by one real adapter and read over HTTPS as the HPA
 * reads them. Fails, never skips, when a toolchain or build output is missing:
 * {@code scripts/setup-polyglot.sh} makes them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolyglotProvidersTest {

    private static final Pattern LISTENING = Pattern.compile("listening on \\S*:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final String SETUP = "run scripts/setup-polyglot.sh (as root it installs what is missing)";
    /**
     * The push metrics' max age. The adapter also re-fetches a push metric every third of its max age;
     * 30 minutes puts that re-fetch far beyond every wait here, so only a Watch event can show a change.
     */
    private static final String PUSHED_MAX_AGE = "30m";

    private final Map<String, RunningProvider> providers = new LinkedHashMap<>();
    private TestAdapter adapter;

    /** One provider process: its stdin (for events), its port, and its output for failure messages. */
    private record RunningProvider(String language, Process process, int port, Path stderrFile) {

        void send(String line) {
            try {
                OutputStream stdin = process.getOutputStream();
                stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(language + " provider's stdin is closed; its stderr:\n" + stderr(), e);
            }
        }

        String stderr() {
            try {
                return Files.readString(stderrFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(stderr unreadable: " + e + ")";
            }
        }
    }

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path root = repositoryRoot();
        Path python = root.resolve("examples/python-provider");
        Path node = root.resolve("examples/node-provider");
        Path go = root.resolve("examples/go-provider");
        checkToolchains(python, node, go);
        try {
            startProvider("python", dir, root,
                    List.of("/usr/bin/python3", python.resolve("provider.py").toString(), "--port", "0"));
            startProvider("node", dir, root, List.of(executableOnPath("node").orElseThrow().toString(),
                    node.resolve("provider.js").toString(), "--port", "0"));
            startProvider("go", dir, root, List.of(go.resolve("bin/go-provider").toString(), "--port", "0"));
            adapter = TestAdapter.start(ConfigLoader.parse("""
                    server: {address: 127.0.0.1, port: 0}
                    providers:
                    """ + providers.values().stream()
                            .map(p -> """
                                      - name: %1$s
                                        target: "127.0.0.1:%2$d"
                                        metrics: [{name: %1$s-pushed, push: true, maxAge: %3$s}]
                                    """.formatted(p.language(), p.port(), PUSHED_MAX_AGE))
                            .collect(Collectors.joining())));
            for (String language : providers.keySet()) {
                Await.until("the " + language + " provider's metrics to have values", START_TIMEOUT, () ->
                        get(language + "-incrementable").statusCode() == 200
                        && get(language + "-pushed").statusCode() == 200);
            }
            providers.keySet().forEach(this::awaitWatchStream);
        } catch (Throwable t) {
            stop();
            throw t;
        }
    }

    @AfterAll
    void stop() {
        if (adapter != null) {
            adapter.close();
            adapter = null;
        }
        for (RunningProvider provider : providers.values()) {
            provider.process().destroy(); // SIGTERM: each provider exits cleanly on it
        }
        for (RunningProvider provider : providers.values()) {
            try {
                if (!provider.process().waitFor(5, TimeUnit.SECONDS)) {
                    provider.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                provider.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        providers.clear();
    }

    // ---- reads through the adapter, as the HPA makes them

    @ParameterizedTest
    @ValueSource(strings = {"python", "node", "go"})
    void read_withoutSelector_returnsTheBaseValueA(String language) {
        String metric = language + "-incrementable";
        BigDecimal aBefore = values(metric, "?labelSelector=some-key%3DA").get("A");

        JsonNode items = items(get(metric));

        BigDecimal aAfter = values(metric, "?labelSelector=some-key%3DA").get("A");
        assertThat(items).hasSize(1);
        assertThat(items.at("/0/metricName").asText()).isEqualTo(metric);
        assertThat(items.at("/0/metricLabels").isEmpty()).isTrue();
        assertThat(Quantity.parse(items.at("/0/value").asText()).value()).isBetween(aBefore, aAfter);
    }

    @ParameterizedTest
    @ValueSource(strings = {"python", "node", "go"})
    void read_withEqualitySelector_returnsThatSeries(String language) {
        Map<String, BigDecimal> series = values(language + "-incrementable", "?labelSelector=some-key%3DB");

        assertThat(series).containsOnlyKeys("B");
        assertThat(series.get("B").remainder(BigDecimal.valueOf(5)).signum()).as("B = 5 A").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"python", "node", "go"})
    void read_withSetSelectorAsClientGoEncodesIt_returnsBothSeries(String language) {
        Map<String, BigDecimal> series = values(language + "-incrementable", "?labelSelector=some-key+in+(A,C)");

        assertThat(series).containsOnlyKeys("A", "C");
        assertThat(series.get("C")).as("C = -A").isEqualByComparingTo(series.get("A").negate());
    }

    @ParameterizedTest
    @ValueSource(strings = {"python", "node", "go"})
    void read_everySeries_hasTheSeedsShape(String language) {
        Map<String, BigDecimal> series = values(language + "-incrementable", "?labelSelector=some-key");

        assertThat(series).containsOnlyKeys("A", "B", "C");
        BigDecimal a = series.get("A");
        assertThat(a.signum()).isNotNegative();
        assertThat(series.get("B")).as("B = 5 A").isEqualByComparingTo(a.multiply(BigDecimal.valueOf(5)));
        assertThat(series.get("C")).as("C = -A").isEqualByComparingTo(a.negate());
    }

    @Test
    void counters_tickEverySecond() {
        Map<String, BigDecimal> start = new LinkedHashMap<>();
        providers.keySet().forEach(language -> start.put(language, a(language)));

        Await.until("A to grow in every provider", Duration.ofSeconds(10), () ->
                start.entrySet().stream().allMatch(e -> a(e.getKey()).compareTo(e.getValue()) > 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"python", "node", "go"})
    void pushed_changesAfterAnEvent(String language) {
        String metric = language + "-pushed";
        assertThat(maxAge(metric)).as("%s's max age: its periodic re-fetch must not deliver the change", metric)
                .isEqualTo(PUSHED_MAX_AGE);
        BigDecimal before = baseValue(metric);

        providers.get(language).send("bump");

        Await.until(metric + " to grow by one after \"bump\" (announced on Watch)", Duration.ofSeconds(10),
                () -> baseValue(metric).compareTo(before.add(BigDecimal.ONE)) == 0);
    }

    // ---- the contract, straight to each provider over gRPC

    @ParameterizedTest
    @ValueSource(strings = {"python", "node", "go"})
    void describe_listsTheIntervalAndThePushMetric(String language) {
        withStub(language, stub -> {
            List<MetricDescriptor> metrics = stub.describe(DescribeRequest.getDefaultInstance()).getMetricsList();

            assertThat(metrics).extracting(d -> d.getMetric().getNamespace(), d -> d.getMetric().getName(),
                            MetricDescriptor::getTriggerCase)
                    .containsExactlyInAnyOrder(
                            tuple("*", language + "-incrementable",
                                    MetricDescriptor.TriggerCase.INTERVAL),
                            tuple("*", language + "-pushed",
                                    MetricDescriptor.TriggerCase.PUSH));
            assertThat(metrics.stream().filter(MetricDescriptor::hasInterval).findFirst().orElseThrow()
                    .getInterval().getSeconds()).isEqualTo(1);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"python", "node", "go"})
    void fetch_unknownMetric_isNotFoundWithAMessage(String language) {
        withStub(language, stub -> assertThatThrownBy(() -> stub.fetch(FetchRequest.newBuilder()
                        .setMetric(MetricRef.newBuilder().setNamespace("*").setName("nope")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).contains("nope", language + "-incrementable");
                }));
    }

    @ParameterizedTest
    @ValueSource(strings = {"python", "node", "go"})
    void watch_newStream_opensWithAnEventForThePushMetric(String language) {
        withStub(language, stub -> {
            Iterator<WatchEvent> events = stub.watch(WatchRequest.getDefaultInstance());
            assertThat(events.next().getMetric()).as("the first event, sent before any \"bump\"")
                    .isEqualTo(MetricRef.newBuilder().setNamespace("*").setName(language + "-pushed").build());
        });
    }

    // ---- check-provider, the conformance check authors run

    @ParameterizedTest
    @ValueSource(strings = {"python", "node", "go"})
    void checkProvider_passesEveryRule(String language) throws Exception {
        var out = new ByteArrayOutputStream();

        int exit = CheckProvider.run(new String[] {"127.0.0.1:" + providers.get(language).port()},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(report).isZero();
        assertThat(report.lines().filter(line -> !line.startsWith("PASS ")).toList()).as(report)
                .singleElement().asString().endsWith(" passed, 0 warnings, 0 failed");
        assertThat(report).contains("*/" + language + "-incrementable: the adapter serves this reply",
                "*/" + language + "-pushed: an event as the stream opened",
                "*/check-provider-no-such-metric: NOT_FOUND");
    }

    // ---- helpers

    private void withStub(String language, Consumer<MetricProviderGrpc.MetricProviderBlockingStub> use) {
        ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + providers.get(language).port(),
                InsecureChannelCredentials.create()).build();
        try {
            use.accept(MetricProviderGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS));
        } finally {
            channel.shutdownNow();
        }
    }

    private HttpResponse<String> get(String metricAndQuery) {
        return adapter.get(HttpClient.Version.HTTP_1_1, VALUES + "default/" + metricAndQuery);
    }

    /** The items of one read, by their {@code some-key} label. */
    private Map<String, BigDecimal> values(String metric, String query) {
        Map<String, BigDecimal> values = new LinkedHashMap<>();
        for (JsonNode item : items(get(metric + query))) {
            values.put(item.at("/metricLabels/some-key").asText(), Quantity.parse(item.get("value").asText()).value());
        }
        return values;
    }

    /** The max age the adapter applies to {@code metric}, from its debug inventory. */
    private String maxAge(String metric) {
        JsonNode inventory = json(ok(adapter.get(HttpClient.Version.HTTP_1_1, "/debug/inventory")));
        for (JsonNode entry : inventory.get("metrics")) {
            if (entry.get("name").asText().equals(metric)) {
                return entry.get("maxAge").asText();
            }
        }
        throw new AssertionError(metric + " is not in the inventory: " + inventory);
    }

    private BigDecimal a(String language) {
        return values(language + "-incrementable", "?labelSelector=some-key%3DA").get("A");
    }

    private BigDecimal baseValue(String metric) {
        JsonNode items = items(get(metric));
        assertThat(items).hasSize(1);
        return Quantity.parse(items.at("/0/value").asText()).value();
    }

    /**
     * Returns once the adapter's Watch stream to the provider carries events: the adapter opens it
     * alongside its first fetch, and an event sent before it is open is lost. Bumps once a second
     * until one is announced, so the test itself can expect exactly one change from one event.
     */
    private void awaitWatchStream(String language) {
        String metric = language + "-pushed";
        BigDecimal start = baseValue(metric);
        long[] lastBump = {0};
        Await.until("the adapter's Watch stream to the " + language + " provider to announce a \"bump\"",
                START_TIMEOUT, () -> {
                    if (baseValue(metric).compareTo(start) > 0) {
                        return true;
                    }
                    if (System.nanoTime() - lastBump[0] > TimeUnit.SECONDS.toNanos(1)) {
                        providers.get(language).send("bump");
                        lastBump[0] = System.nanoTime();
                    }
                    return false;
                });
    }

    // ---- processes and prerequisites

    private void startProvider(String language, Path dir, Path root, List<String> command) throws Exception {
        Path stderr = dir.resolve(language + ".stderr");
        Process process = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectError(stderr.toFile())
                .start();
        CompletableFuture<Integer> port = ListeningPort.of(process, LISTENING, language + "-provider-stdout");
        try {
            int listening = port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            providers.put(language, new RunningProvider(language, process, listening, stderr));
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("the " + language + " provider (" + String.join(" ", command)
                    + ") did not print \"listening on HOST:PORT\" within " + START_TIMEOUT
                    + (process.isAlive() ? "" : "; exit code " + process.exitValue())
                    + "; stderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8), e);
        }
    }

    /** Fails naming every missing package or build output at once, so one setup run fixes all. */
    private static void checkToolchains(Path python, Path node, Path go) throws Exception {
        List<String> missing = new ArrayList<>();
        Path python3 = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python3)) {
            missing.add("Debian's /usr/bin/python3 (apt-get install python3 python3-grpcio python3-protobuf)");
        } else {
            if (!pythonImports(python3, "grpc")) {
                missing.add("python3-grpcio (module grpc for /usr/bin/python3)");
            }
            if (!pythonImports(python3, "google.protobuf")) {
                missing.add("python3-protobuf (module google.protobuf for /usr/bin/python3)");
            }
        }
        if (!Files.isRegularFile(python.resolve("generated/externalmetrics/v1/provider_pb2_grpc.py"))) {
            missing.add("the Python stubs in " + python.resolve("generated")
                    + " (generate.sh; needs protobuf-compiler and protobuf-compiler-grpc)");
        }
        if (executableOnPath("node").isEmpty()) {
            missing.add("node on PATH (apt-get install nodejs npm)");
        }
        for (String module : List.of("@grpc/grpc-js", "@grpc/proto-loader")) {
            if (!Files.isDirectory(node.resolve("node_modules").resolve(module))) {
                missing.add("npm package " + module + " in " + node.resolve("node_modules") + " (npm ci there)");
            }
        }
        if (!Files.isExecutable(go.resolve("bin/go-provider"))) {
            missing.add("the Go provider binary " + go.resolve("bin/go-provider") + " (build.sh; needs golang-go,"
                    + " protobuf-compiler, protoc-gen-go, protoc-gen-go-grpc, golang-google-grpc-dev,"
                    + " golang-google-protobuf-dev, golang-github-golang-protobuf-1-5-dev)");
        }
        if (!missing.isEmpty()) {
            throw new AssertionError("the polyglot example providers cannot run; missing:\n  - "
                    + String.join("\n  - ", missing) + "\n" + SETUP);
        }
    }

    private static boolean pythonImports(Path python3, String module) throws Exception {
        Process process = new ProcessBuilder(python3.toString(), "-c", "import " + module)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return false;
        }
        return process.exitValue() == 0;
    }

    private static Optional<Path> executableOnPath(String name) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The checkout's root: the nearest directory, from the working directory up, holding examples/ and adapter/. */
    private static Path repositoryRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path dir = cwd; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("examples")) && Files.isDirectory(dir.resolve("adapter"))) {
                return dir;
            }
        }
        throw new AssertionError("cannot find the repository root (a directory with examples/ and adapter/)"
                + " from the working directory " + cwd);
    }
}
