package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.k8s.Quantity;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.adapter.testing.TestAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration file changes under a running adapter while an HPA keeps reading. */
class ConfigReloadTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static String provider(String name, int port) {
        return """
                  - name: %s
                    target: 127.0.0.1:%d
                    retry: {initial: 20ms, max: 200ms}
                    metrics: [{name: %s-metric, interval: 200ms, maxAge: 3s}]
                """.formatted(name, port, name);
    }

    @Test
    void reload_withAnotherLogFormat_warnsThatItTakesARestart() {
        String config = "server: {address: 127.0.0.1, port: 0}\nproviders: [{name: p, target: '127.0.0.1:1'}]\n";
        try (TestAdapter adapter = TestAdapter.start(ConfigLoader.parse(config));
             LogRecords log = LogRecords.of(Adapter.class.getName())) {
            adapter.reload(ConfigLoader.parse(config));
            adapter.reload(ConfigLoader.parse("logFormat: json\n" + config));

            assertThat(log.atLeast(Level.WARNING))
                    .containsExactly("logFormat changed to json; it takes effect after a restart");
        }
    }

    @Test
    void reload_addingAndRemovingProviders_whileReadsRun_failsNoReadOfAMetricThatStayed(@TempDir Path dir)
            throws Exception {
        try (FakeProvider a = FakeProvider.start(0).value("a-metric", 1);
             FakeProvider b = FakeProvider.start(0).value("b-metric", 2)) {
            String header = "server: {address: 127.0.0.1, port: 0}\nproviders:\n";
            Path file = Files.writeString(dir.resolve("adapter.yaml"), header + provider("a", a.port()));
            try (TestAdapter adapter = TestAdapter.start(ConfigLoader.load(file))) {
                Await.until("a's value", WAIT, () -> adapter.read("a-metric").statusCode() == 200);
                adapter.watchConfig(file, Duration.ofMillis(20));

                // one reader keeps reading the metric that must stay, as an HPA would
                AtomicReference<String> watched = new AtomicReference<>("a-metric");
                AtomicBoolean reading = new AtomicBoolean(true);
                AtomicLong reads = new AtomicLong();
                var failures = new ConcurrentLinkedQueue<String>();
                Thread reader = Thread.ofVirtual().start(() -> {
                    while (reading.get()) {
                        String metric = watched.get();
                        var response = adapter.read(metric);
                        reads.incrementAndGet();
                        if (response.statusCode() != 200) {
                            failures.add(metric + ": " + response.statusCode() + " " + response.body());
                        }
                    }
                });

                Files.writeString(file, header + provider("a", a.port()) + provider("b", b.port()));
                Await.until("b added", WAIT, () -> adapter.read("b-metric").statusCode() == 200);

                watched.set("b-metric");
                Files.writeString(file, header + provider("b", b.port()));
                Await.until("a removed (404 after its max age)", WAIT,
                        () -> adapter.read("a-metric").statusCode() == 404);

                Files.writeString(file, header + "  - {name: broken}\n");
                long readsBefore = reads.get();
                Await.until("more reads after the invalid change", WAIT, () -> reads.get() > readsBefore + 50);
                assertThat(adapter.read("b-metric").statusCode()).isEqualTo(200);

                reading.set(false);
                reader.join();
                assertThat(failures).isEmpty();
                assertThat(reads.get()).isGreaterThan(50);
                assertThat(adapter.cache().providers()).extracting(s -> s.name()).containsExactly("b");
            }
        }
    }

    @Test
    void reload_withANewProvidersTargetGrpcCannotUse_isRejected_andLaterChangesStillApply(@TempDir Path dir)
            throws Exception {
        try (FakeProvider a = FakeProvider.start(0).value("a-metric", 1);
             FakeProvider b = FakeProvider.start(0).value("b-metric", 2)) {
            String header = "server: {address: 127.0.0.1, port: 0}\nproviders:\n";
            Path file = Files.writeString(dir.resolve("adapter.yaml"), header + provider("a", a.port()));
            try (TestAdapter adapter = TestAdapter.start(ConfigLoader.load(file))) {
                Await.until("a's value", WAIT, () -> adapter.read("a-metric").statusCode() == 200);
                var watcher = new ConfigWatcher(file, adapter::reload);

                // a changed, and a new provider with a target gRPC cannot parse
                Files.writeString(file, header + provider("a", a.port()).replace("maxAge: 3s", "maxAge: 4s")
                        + "  - {name: c, target: 'foo bar:1'}\n");
                assertThat(watcher.check()).as("the change is rejected").isFalse();
                assertThat(adapter.cache().providers()).extracting(s -> s.name()).containsExactly("a");
                assertThat(a.describeCalls()).as("a was not restarted").isEqualTo(1);
                long fetches = a.fetches("a-metric");
                Await.until("a still refreshing", WAIT, () -> a.fetches("a-metric") > fetches + 2);

                Files.writeString(file, header + provider("a", a.port()) + provider("b", b.port()));
                assertThat(watcher.check()).as("a later change is applied").isTrue();
                Await.until("b added", WAIT, () -> adapter.read("b-metric").statusCode() == 200);
                assertThat(adapter.cache().providers()).extracting(s -> s.name()).containsExactly("a", "b");
            }
        }
    }

    @Test
    void reload_unchangedProvider_keepsItsValuesAndChannel(@TempDir Path dir) throws Exception {
        try (FakeProvider a = FakeProvider.start(0).value("a-metric", 1)) {
            String yaml = "server: {address: 127.0.0.1, port: 0}\nproviders:\n" + provider("a", a.port());
            try (TestAdapter adapter = TestAdapter.start(ConfigLoader.parse(yaml))) {
                Await.until("a's value", WAIT, () -> adapter.cache().inventory().getFirst().sample().isPresent());
                var before = adapter.cache().inventory().getFirst();

                adapter.reload(ConfigLoader.parse(yaml + "  - {name: other, target: '127.0.0.1:1'}\n"));

                var after = adapter.cache().state(before.info().key()).orElseThrow();
                assertThat(after.sample()).isPresent();
                assertThat(adapter.cache().providers()).extracting(s -> s.name()).containsExactly("a", "other");
                assertThat(List.of(a.describeCalls())).as("not restarted: Describe was called once").containsExactly(1);
            }
        }
    }

    @Test
    void reload_removingTheProviderThatWonAClash_theOtherTakesTheMetricOver() throws Exception {
        // a clash can only come from Describe: the configuration refuses one
        try (FakeProvider one = FakeProvider.start(0).value("m", 1)
                        .describe(FakeProvider.interval("m", Duration.ofMillis(200)));
             FakeProvider two = FakeProvider.start(0).value("m", 2)
                        .describe(FakeProvider.interval("m", Duration.ofMillis(200)))) {
            String header = "server: {address: 127.0.0.1, port: 0}\nproviders:\n";
            String both = header + clashing("one", one.port()) + clashing("two", two.port());
            try (TestAdapter adapter = TestAdapter.start(ConfigLoader.parse(both))) {
                Await.until("both providers registered", WAIT, () -> adapter.cache().providers().stream()
                        .allMatch(s -> s.describe().startsWith("ok")));
                Await.until("a value", WAIT, () -> adapter.cache().inventory().getFirst().sample().isPresent());
                String winner = adapter.cache().inventory().getFirst().info().provider();
                String loser = winner.equals("one") ? "two" : "one";
                assertThat(adapter.cache().providers()).filteredOn(s -> s.name().equals(loser)).singleElement()
                        .satisfies(s -> assertThat(s.describe()).as("the loser says why it serves less")
                                .contains("metric \"m\" in namespace \"*\" of provider \"" + loser
                                        + "\" clashes with \"m\" of provider \"" + winner + "\"; it is not served"));

                adapter.reload(ConfigLoader.parse(header + clashing(loser, (loser.equals("one") ? one : two).port())));

                double expected = loser.equals("one") ? 1 : 2;
                Await.until("the loser serving m", WAIT, () -> adapter.cache().inventory().stream().anyMatch(s ->
                        s.info().provider().equals(loser) && s.sample().isPresent()
                                && s.sample().get().base().orElse("").equals(Quantity.format(expected))));
                assertThat(adapter.cache().providers()).singleElement()
                        .satisfies(s -> assertThat(s.describe()).doesNotContain("clashes"));
            }
        }
    }

    private static String clashing(String name, int port) {
        return """
                  - name: %s
                    target: 127.0.0.1:%d
                """.formatted(name, port);
    }
}
