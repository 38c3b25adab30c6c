import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The build's training run for the JDK's ahead-of-time cache (JDK 25+, JEPs 483 and 514): starts the
 * adapter from its staged {@code lib/} exactly as {@code bin/externalmetrics-adapter} does (the same
 * JVM options, the same class path string: every jar of {@code lib/} in byte order of its name) with
 * {@code -XX:AOTCacheOutput}, on loopback with a small provider in this JVM; waits until it is ready,
 * reads a metric over HTTP/2 and the health and discovery paths over HTTP/1.1, as an HPA and a kubelet
 * would, and stops it with SIGTERM, which is when the JVM writes the cache. Bounded: gives up (and
 * fails the build, showing the adapter's output) after the time given.
 *
 * <p>Run by the adapter's pom as a source-file program, on the JDK of the build:
 * {@code java -cp <provider SDK> AotTraining.java <java> <lib dir> <main class> <cache file> <work dir> <seconds>}.
 */
final class AotTraining {

    private static final Pattern SERVING = Pattern.compile("serving https://127\\.0\\.0\\.1:(\\d+) ");
    private static final String METRIC = "aot-training";

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            throw new IllegalArgumentException(
                    "usage: AotTraining <java> <lib dir> <main class> <cache file> <work dir> <seconds>");
        }
        Path java = Path.of(args[0]);
        Path lib = Path.of(args[1]).toAbsolutePath();
        String mainClass = args[2];
        Path cache = Path.of(args[3]).toAbsolutePath();
        Path work = Files.createDirectories(Path.of(args[4]));
        Duration limit = Duration.ofSeconds(Long.parseLong(args[5]));
        long deadline = System.nanoTime() + limit.toNanos();
        long started = System.nanoTime();

        Files.deleteIfExists(cache);
        Path log = work.resolve("adapter.log");
        var provider = MetricProviderServer.builder()
                .address("127.0.0.1")
                .port(0)
                .addMetric(Namespace.ALL, METRIC, Trigger.every(Duration.ofSeconds(1)),
                        request -> Value.of(1).withSelector("group", "a", 1500).withSelector("group", "b", 2))
                .build()
                .start();
        Process adapter = null;
        try {
            Path config = Files.writeString(work.resolve("adapter.yaml"), """
                    server:
                      address: 127.0.0.1
                      port: 0
                    providers:
                      - name: training
                        target: 127.0.0.1:%d
                    """.formatted(provider.port()));
            List<String> command = new ArrayList<>(List.of(java.toString(),
                    "-XX:CompileThresholdScaling=10", // as the launcher
                    "--enable-native-access=ALL-UNNAMED", // as the launcher: module options are part of the cache
                    "-XX:AOTCacheOutput=" + cache,
                    "-cp", classPath(lib), mainClass, "--config", config.toString()));
            var builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().keySet()
                    .removeAll(List.of("JAVA_OPTS", "JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS"));
            adapter = builder.start();

            int port = Integer.parseInt(awaitLog(adapter, log, deadline).group(1));
            HttpClient http2 = client(HttpClient.Version.HTTP_2);
            HttpClient http1 = client(HttpClient.Version.HTTP_1_1);
            String base = "https://127.0.0.1:" + port;
            awaitOk(adapter, log, http1, base + "/readyz", "", deadline);
            String read = base + "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/" + METRIC;
            awaitOk(adapter, log, http2, read + "?labelSelector=group%3Da", "\"group\":\"a\"", deadline);
            awaitOk(adapter, log, http2, read, "\"metricName\":\"" + METRIC + "\"", deadline);
            for (String path : List.of("/livez", "/healthz", "/apis/external.metrics.k8s.io/v1beta1")) {
                awaitOk(adapter, log, http1, base + path, "", deadline);
            }

            adapter.destroy(); // SIGTERM: the JVM writes the cache on its way out
            long left = Math.max(0, deadline - System.nanoTime());
            if (!adapter.waitFor(left, TimeUnit.NANOSECONDS)) {
                throw failure("did not stop within " + limit, log);
            }
            if (!Files.isRegularFile(cache)) {
                throw failure("exited with " + adapter.exitValue() + " without writing " + cache, log);
            }
            System.out.printf("AOT cache %s: %d MiB, trained in %.1f s%n", cache, Files.size(cache) >> 20,
                    (System.nanoTime() - started) / 1e9);
        } finally {
            if (adapter != null && adapter.isAlive()) {
                adapter.descendants().forEach(ProcessHandle::destroyForcibly);
                adapter.destroyForcibly();
            }
            provider.close();
        }
    }

    /** What the launcher passes: every jar in {@code lib}, in byte order of the names, joined with ':'. */
    static String classPath(Path lib) throws IOException {
        try (Stream<Path> files = Files.list(lib)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".jar"))
                    .sorted() // names are ASCII: String order is byte order, as `LC_ALL=C ls` sorts
                    .map(name -> lib.resolve(name).toString())
                    .collect(Collectors.joining(":"));
        }
    }

    private static Matcher awaitLog(Process adapter, Path log, long deadline) throws Exception {
        while (true) {
            Matcher matcher = SERVING.matcher(Files.readString(log));
            if (matcher.find()) {
                return matcher;
            }
            check(adapter, log, deadline, "printed no \"serving https://127.0.0.1:PORT\" line");
            Thread.sleep(20);
        }
    }

    private static void awaitOk(Process adapter, Path log, HttpClient client, String uri, String bodyPart,
                                long deadline) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).build();
        while (true) {
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains(bodyPart)) {
                    return;
                }
            } catch (IOException e) {
                // not answering yet: try again until the deadline
            }
            check(adapter, log, deadline, "did not answer 200 with " + bodyPart + " to " + uri);
            Thread.sleep(20);
        }
    }

    private static void check(Process adapter, Path log, long deadline, String what) throws IOException {
        if (!adapter.isAlive()) {
            throw failure("exited with " + adapter.exitValue() + ": " + what, log);
        }
        if (System.nanoTime() - deadline > 0) {
            throw failure("timed out: " + what, log);
        }
    }

    private static IllegalStateException failure(String what, Path log) throws IOException {
        return new IllegalStateException("AOT training run of the adapter " + what + "; its output:\n"
                + Files.readString(log));
    }

    /** Trusts the adapter's self-signed certificate: this is loopback, and the point is the adapter's path. */
    private static HttpClient client(HttpClient.Version version) throws Exception {
        var trustAll = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {trustAll}, new SecureRandom());
        return HttpClient.newBuilder().version(version).sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }
}
