package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.auth.UserInfo;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeKubeApiServer;
import io.externalmetrics.adapter.testing.FakeKubeApiServer.SarStatus;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.Https;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real adapter process: it refuses new connections at once, finishes a read under way,
 * and exits within {@code server.shutdownGrace}. The read is held under way deterministically by
 * authorization: the fake kube-apiserver holds its SubjectAccessReview answer, as a slow one would.
 */
class GracefulShutdownTest {

    private static final String TOKEN = "token-of-the-hpa-controller";
    private static final String VALUES = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    /** The JVM's exit code after a SIGTERM it handled: 128 + 15. */
    private static final int EXIT_SIGTERM = 143;

    @TempDir
    Path dir;
    private FakeKubeApiServer kubeApiserver;
    private MetricProviderServer provider;
    private Process adapter;
    private HttpClient client;

    @BeforeEach
    void start() {
        kubeApiserver = FakeKubeApiServer.start(dir);
        kubeApiserver.token(TOKEN, new UserInfo("hpa", "uid-1", List.of(), Map.of()));
        kubeApiserver.policy((user, attributes) -> SarStatus.allow("test"));
        provider = MetricProviderServer.builder()
                .port(0)
                .addMetric(Namespace.ALL, "queue-depth", Trigger.every(Duration.ofSeconds(1)), request -> Value.of(7))
                .build()
                .start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (adapter != null && adapter.isAlive()) {
            adapter.destroyForcibly();
            adapter.waitFor(30, TimeUnit.SECONDS);
        }
        provider.close();
        kubeApiserver.close();
    }

    @Test
    @Timeout(120)
    void sigterm_refusesNewConnections_finishesTheReadUnderWay_andExits143() throws Exception {
        int port = startAdapter("10s");
        FakeKubeApiServer.Gate slowReview = kubeApiserver.hold();
        CompletableFuture<HttpResponse<String>> underWay = client.sendAsync(read(port, "team-a"),
                HttpResponse.BodyHandlers.ofString());
        Await.until("the read to wait on its SubjectAccessReview", Duration.ofSeconds(30),
                () -> slowReview.arrived() == 1);

        long signalled = System.nanoTime();
        adapter.destroy(); // SIGTERM
        Await.until("the adapter to say it stops", Duration.ofSeconds(30),
                () -> stdout().contains("externalmetrics adapter stopping: refusing new connections; requests under "
                        + "way have up to 10s to finish"));
        Await.until("new connections to be refused", Duration.ofSeconds(30), () -> refused(port));
        assertThat(adapter.isAlive()).as("waits for the read under way").isTrue();
        // the kube-apiserver answers after 2 s: longer than Helidon's default grace period (500 ms), which
        // Adapter replaces with server.shutdownGrace (10s here), so the read finishes only with ours
        CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS).execute(slowReview::release);

        HttpResponse<String> response = underWay.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"metricName\":\"queue-depth\"", "\"value\":\"7\"");
        assertThat(adapter.waitFor(15, TimeUnit.SECONDS)).as("exited; stdout:\n%s", stdout()).isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - signalled);
        assertThat(adapter.exitValue()).as("exit code; stdout:\n%s", stdout()).isEqualTo(EXIT_SIGTERM);
        assertThat(took).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(10));
        assertThat(stdout()).contains("externalmetrics adapter stopped in ");
    }

    @Test
    @Timeout(120)
    void sigterm_withAReadStillUnderWayAfterTheGrace_exitsAtTheGraceWithCode1() throws Exception {
        int port = startAdapter("1s");
        FakeKubeApiServer.Gate neverAnswered = kubeApiserver.hold();
        try {
            CompletableFuture<HttpResponse<String>> underWay = client.sendAsync(read(port, "team-a"),
                    HttpResponse.BodyHandlers.ofString());
            Await.until("the read to wait on its SubjectAccessReview", Duration.ofSeconds(30),
                    () -> neverAnswered.arrived() == 1);

            long signalled = System.nanoTime();
            adapter.destroy(); // SIGTERM
            assertThat(adapter.waitFor(15, TimeUnit.SECONDS)).as("exited; stdout:\n%s", stdout()).isTrue();
            Duration took = Duration.ofNanos(System.nanoTime() - signalled);

            assertThat(adapter.exitValue()).isEqualTo(Main.EXIT_GRACE_EXCEEDED);
            assertThat(took).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(5));
            assertThat(stderr()).contains("externalmetrics adapter did not stop within server.shutdownGrace (1s): "
                    + "exiting now, cutting short what was under way");
            assertThatThrownBy(() -> underWay.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
        } finally {
            neverAnswered.release();
        }
    }

    /**
     * What SIGTERM runs after the requests under way ({@link Adapter#close()}) closes the provider channels
     * itself: shown in this JVM, which stays, as a process's exit would close every connection anyway.
     */
    @Test
    @Timeout(60)
    void close_endsTheProvidersWatchStreams() {
        try (FakeProvider pushing = FakeProvider.start(0)
                .describe(FakeProvider.push("pushed", Duration.ofHours(1)))
                .value("pushed", 1)) {
            TestAdapter inJvm = TestAdapter.withProviders("""
                      - {name: pushing, target: "127.0.0.1:%d"}
                    """.formatted(pushing.port()));
            try {
                Await.until("the Watch stream open", Duration.ofSeconds(30), () -> pushing.openWatchStreams() == 1);
            } finally {
                inJvm.close();
            }
            Await.until("the Watch stream ended", Duration.ofSeconds(10), () -> pushing.openWatchStreams() == 0);
        }
    }

    /**
     * Starts {@link Main} in a JVM of its own (this test's class path) with a serving certificate for
     * 127.0.0.1, TokenReview and SubjectAccessReview against the fake kube-apiserver, and the provider;
     * waits until a read is answered.
     */
    private int startAdapter(String shutdownGrace) throws Exception {
        var ca = TestPki.ca("serving-ca");
        var serving = ca.issue("adapter", "127.0.0.1");
        Path config = Files.writeString(dir.resolve("adapter.yaml"), """
                server:
                  address: 127.0.0.1
                  port: 0
                  tls: {certFile: %s, keyFile: %s}
                  shutdownGrace: %s
                providers: [{name: example, target: "127.0.0.1:%d"}]
                authentication: {tokenReview: true}
                authorization: {mode: SubjectAccessReview}
                kubernetes: {kubeconfig: %s}
                """.formatted(serving.writeCertificate(dir.resolve("tls.crt")),
                serving.writeKey(dir.resolve("tls.key")), shutdownGrace, provider.port(),
                kubeApiserver.kubeconfig()));
        adapter = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--config", config.toString())
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile())
                .start();
        Pattern servingLine = Pattern.compile("serving https://127\\.0\\.0\\.1:(\\d+) ");
        int[] port = new int[1];
        Await.until("the adapter to serve", Duration.ofSeconds(60), () -> {
            if (!adapter.isAlive()) {
                throw new AssertionError("exited with " + adapter.exitValue() + ":\n" + stdout() + stderr());
            }
            Matcher matcher = servingLine.matcher(stdout());
            if (matcher.find()) {
                port[0] = Integer.parseInt(matcher.group(1));
            }
            return port[0] > 0;
        });
        client = Https.client(TestPki.pem(ca.certificate()), HttpClient.Version.HTTP_1_1);
        Await.until("a first value", Duration.ofSeconds(60),
                () -> Https.get(client, "https://127.0.0.1:" + port[0] + VALUES + "default/queue-depth",
                        "Authorization", "Bearer " + TOKEN).statusCode() == 200);
        return port[0];
    }

    /** A read in a namespace not read before, so that its SubjectAccessReview is asked (not cached). */
    private static HttpRequest read(int port, String namespace) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + VALUES + namespace + "/queue-depth"))
                .header("Authorization", "Bearer " + TOKEN)
                .build();
    }

    private static boolean refused(int port) {
        try {
            new Socket(InetAddress.getLoopbackAddress(), port).close();
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String stdout() {
        return read(dir.resolve("stdout"));
    }

    private String stderr() {
        return read(dir.resolve("stderr"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
