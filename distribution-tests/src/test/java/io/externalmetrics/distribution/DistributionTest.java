package io.externalmetrics.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter and the example provider as a user gets them: both tarballs unpacked, started with their
 * {@code bin/} scripts on the JDK running these tests, read over HTTPS, stopped with SIGTERM.
 */
class DistributionTest {

    /** The JVM's exit code after a SIGTERM it handled: 128 + 15. */
    private static final int EXIT_SIGTERM = 143;
    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static Unpacked adapter;
    static Unpacked provider;

    @BeforeAll
    static void unpack() throws Exception {
        adapter = Unpacked.of("adapter.tarball", dir.resolve("adapter-dist"));
        provider = Unpacked.of("provider.tarball", dir.resolve("provider-dist"));
    }

    @Test
    void tarballs_holdLauncherLibrariesExampleConfigurationReadmeLicenseAndNotice() throws Exception {
        String version = System.getProperty("project.version");
        assertThat(adapter.home().getFileName()).hasToString("externalmetrics-adapter-" + version);
        assertThat(adapter.tarball().getFileName()).hasToString("externalmetrics-adapter-" + version + ".tar.gz");
        assertThat(provider.home().getFileName()).hasToString("externalmetrics-example-provider-" + version);
        for (Path launcher : List.of(adapter.home().resolve("bin/externalmetrics-adapter"),
                provider.home().resolve("bin/externalmetrics-example-provider"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(launcher))).isEqualTo("rwxr-xr-x");
        }
        assertThat(adapter.home().resolve("lib/externalmetrics-adapter-" + version + ".jar")).isRegularFile();
        assertThat(provider.home().resolve("lib/externalmetrics-example-java-provider-" + version + ".jar"))
                .isRegularFile();
        // the dependencies one by one, not the shaded -all.jar
        assertThat(adapter.home().resolve("lib")).isDirectoryContaining("glob:**/helidon-webserver-*.jar")
                .isDirectoryNotContaining("glob:**/*-all.jar");
        assertThat(adapter.home().resolve("config/example.yaml")).isRegularFile();
        assertThat(adapter.home().resolve("README.md")).isRegularFile();
        assertThat(provider.home().resolve("README.md")).isRegularFile();
        for (Unpacked tarball : List.of(adapter, provider)) {
            assertThat(Files.readString(tarball.home().resolve("LICENSE"))).as(tarball.tarball().toString())
                    .startsWith("\n                                 Apache License\n"
                            + "                           Version 2.0, January 2004\n")
                    .contains("END OF TERMS AND CONDITIONS", "APPENDIX: How to apply the Apache License");
            assertThat(Files.readString(tarball.home().resolve("NOTICE"))).as(tarball.tarball().toString())
                    .startsWith("externalmetrics\nCopyright 2026 the externalmetrics authors\n")
                    .contains("Apache License, Version 2.0", "lib/");
        }
    }

    @Test
    @Timeout(180)
    void adapter_fromItsTarball_servesTheExampleProviderFromItsTarball_andStopsOnSigterm() throws Exception {
        try (var providerProcess = Launched.start(dir.resolve("run-provider"), Map.of(), List.of(
                provider.home().resolve("bin/externalmetrics-example-provider").toString(), "--port", "0"))) {
            String providerPort = providerProcess
                    .awaitOut(Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)"), START).group(1);
            // the shipped example, on loopback and free ports
            String example = Files.readString(adapter.home().resolve("config/example.yaml"));
            Path config = Files.writeString(dir.resolve("adapter.yaml"), example
                    .replace("address: 0.0.0.0", "address: 127.0.0.1")
                    .replace("port: 6443", "port: 0")
                    .replace("127.0.0.1:50051", "127.0.0.1:" + providerPort));
            assertThat(Files.readString(config)).contains("port: 0", "target: 127.0.0.1:" + providerPort);

            try (var adapterProcess = Launched.start(dir.resolve("run-adapter"), Map.of(), List.of(
                    adapter.home().resolve("bin/externalmetrics-adapter").toString(), "--config", config.toString()))) {
                int port = Integer.parseInt(adapterProcess
                        .awaitOut(Pattern.compile("serving https://127\\.0\\.0\\.1:(\\d+) "), START).group(1));
                HttpClient client = trustingClient();
                var read = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                        + "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/incrementable"
                        + "?labelSelector=some-key%3DB")).build();
                String[] body = new String[1];
                Await.until("a value of incrementable{some-key=B}", START, () -> {
                    HttpResponse<String> response = send(client, read);
                    body[0] = response.body();
                    return response.statusCode() == 200 && response.body().contains("\"some-key\":\"B\"");
                });
                assertThat(body[0])
                        .contains("\"kind\":\"ExternalMetricValueList\"", "\"metricName\":\"incrementable\"");

                long signalled = System.nanoTime();
                adapterProcess.process.destroy(); // SIGTERM
                int exit = adapterProcess.awaitExit(Duration.ofSeconds(15)); // the default grace is 10 s
                Duration took = Duration.ofNanos(System.nanoTime() - signalled);
                assertThat(exit).as("exit code; stdout:\n%s", adapterProcess.out()).isEqualTo(EXIT_SIGTERM);
                assertThat(took).isLessThan(Duration.ofSeconds(10));
                assertThat(adapterProcess.out()).contains(
                        "externalmetrics adapter stopping: refusing new connections; requests under way have up to "
                                + "10s to finish",
                        "externalmetrics adapter stopped in ");
                assertNoJdkWarnings(adapterProcess.err());
            }
            providerProcess.process.destroy();
            assertThat(providerProcess.awaitExit(Duration.ofSeconds(15))).isEqualTo(EXIT_SIGTERM);
            assertNoJdkWarnings(providerProcess.err());
        }
    }

    @Test
    @Timeout(180)
    void checkProvider_fromTheAdapterTarball_passesTheExampleProvider_exitsOneOnAFailure_twoWhenNothingListens()
            throws Exception {
        String launcher = adapter.home().resolve("bin/externalmetrics-adapter").toString();
        try (var providerProcess = Launched.start(dir.resolve("run-provider-checked"), Map.of(), List.of(
                provider.home().resolve("bin/externalmetrics-example-provider").toString(), "--port", "0"))) {
            String target = "127.0.0.1:" + providerProcess
                    .awaitOut(Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)"), START).group(1);

            try (var check = Launched.start(dir.resolve("run-check"), Map.of(), List.of(
                    launcher, "check-provider", target))) {
                assertThat(check.awaitExit(Duration.ofSeconds(60))).as("exit code; stdout:\n%s\nstderr:\n%s",
                        check.out(), check.err()).isZero();
                assertThat(check.out()).contains("*/incrementable: the adapter serves this reply",
                                "*/pushed: an event as the stream opened", "*/check-provider-no-such-metric: NOT_FOUND")
                        .endsWith(" passed, 0 warnings, 0 failed\n");
                assertNoJdkWarnings(check.err());
            }
            // a metric the provider does not describe: a failed rule
            try (var check = Launched.start(dir.resolve("run-check-unknown"), Map.of(), List.of(
                    launcher, "check-provider", target, "--metric", "*/nope"))) {
                assertThat(check.awaitExit(Duration.ofSeconds(60))).as(check.out()).isEqualTo(1);
                assertThat(check.out()).contains("FAIL  describe ", "--metric */nope is not among the metrics");
            }
            providerProcess.process.destroy();
            assertThat(providerProcess.awaitExit(Duration.ofSeconds(15))).isEqualTo(EXIT_SIGTERM);
        }
        int closed;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        try (var check = Launched.start(dir.resolve("run-check-nothing"), Map.of(), List.of(
                launcher, "check-provider", "127.0.0.1:" + closed))) {
            assertThat(check.awaitExit(Duration.ofSeconds(60))).as(check.out()).isEqualTo(2);
            assertThat(check.out()).contains("could not connect");
        }
    }

    @Test
    void launcher_passesJavaOptsNativeAccessLibrariesAndArguments_andExecsJava() throws Exception {
        Path javaHome = fakeJava("21.0.9");
        try (var launched = Launched.start(dir.resolve("run-fake-21"),
                Map.of("JAVA_HOME", javaHome.toString(), "JAVA_OPTS", "-Xmx64m  -Dgreeting=*"), List.of(
                        adapter.home().resolve("bin/externalmetrics-adapter").toString(), "--config", "a b.yaml"))) {
            assertThat(launched.awaitExit(Duration.ofSeconds(30))).as(launched.err()).isZero();
            assertThat(launched.out().lines()).containsExactly(
                    "pid " + launched.process.pid(), // exec: java is the process that was started, signals reach it
                    "-XX:CompileThresholdScaling=10", // before JAVA_OPTS, which can set it back
                    "-Xmx64m",
                    "-Dgreeting=*", // split on spaces, not expanded as a file pattern
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    classPath(adapter.home().toRealPath().resolve("lib")),
                    "io.externalmetrics.adapter.Main",
                    "--config",
                    "a b.yaml");
        }
    }

    @Test
    void launcher_onJava25_putsTheAotCacheFirst_quietsItsMessages_andLeavesItOutWhenTurnedOff() throws Exception {
        // a copy with a cache file of its own: the launcher only looks whether it is there
        Unpacked copy = Unpacked.of("adapter.tarball", dir.resolve("adapter-dist-fake-25"));
        Path lib = copy.home().toRealPath().resolve("lib");
        Files.write(lib.resolve("externalmetrics-adapter.aot"), new byte[] {1});
        // the version from the JDK's release file, as the launcher reads it without starting a JVM: its
        // java -version says 17, which the launcher would refuse
        Path javaHome = fakeJava("17.0.15", "25.0.1");
        String launcher = copy.home().resolve("bin/externalmetrics-adapter").toString();
        try (var launched = Launched.start(dir.resolve("run-fake-25"),
                Map.of("JAVA_HOME", javaHome.toString(), "JAVA_OPTS", "-Xlog:aot"), List.of(launcher, "--help"))) {
            assertThat(launched.awaitExit(Duration.ofSeconds(30))).as(launched.err()).isZero();
            assertThat(launched.out().lines()).containsExactly(
                    "pid " + launched.process.pid(),
                    "-XX:AOTCache=" + lib.resolve("externalmetrics-adapter.aot"),
                    "-Xlog:aot*=off",
                    "-XX:CompileThresholdScaling=10",
                    "-Xlog:aot", // after: what the user asks for wins
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    classPath(lib),
                    "io.externalmetrics.adapter.Main",
                    "--help");
        }
        try (var launched = Launched.start(dir.resolve("run-fake-25-off"),
                Map.of("JAVA_HOME", javaHome.toString(), "AOT_CACHE", "off"), List.of(launcher, "--help"))) {
            assertThat(launched.awaitExit(Duration.ofSeconds(30))).as(launched.err()).isZero();
            assertThat(launched.out().lines()).containsExactly(
                    "pid " + launched.process.pid(),
                    "-XX:CompileThresholdScaling=10",
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    classPath(lib),
                    "io.externalmetrics.adapter.Main",
                    "--help");
        }
    }

    @Test
    @Timeout(180)
    void adapter_startsWithTheAotCacheItsBuildMade_andWithoutError_whenTheCacheIsStaleOrMissing() throws Exception {
        Unpacked copy = Unpacked.of("adapter.tarball", dir.resolve("adapter-dist-aot"));
        Path cache = copy.home().resolve("lib/externalmetrics-adapter.aot");
        // the build makes the cache on the JDK it runs on, and these tests run on that JDK
        assertThat(Files.isRegularFile(cache)).as(cache.toString()).isEqualTo(Runtime.version().feature() >= 25);
        Path config = Files.writeString(dir.resolve("adapter-aot.yaml"), """
                server:
                  address: 127.0.0.1
                  port: 0
                providers:
                  - name: nowhere
                    target: 127.0.0.1:1
                """);
        if (Files.isRegularFile(cache)) {
            // the JVM caches no class of a signed jar: the build drops BouncyCastle's signatures
            assertThat(signedJars(copy.home().resolve("lib"))).isEmpty();
            // AOTMode=on: the JVM refuses to start unless it maps the cache, so this proves it matches the
            // launcher's class path, relocated to where the tarball was unpacked
            startAndStop(copy, config, "as built", "-XX:AOTMode=on");
            // stale: a jar changed after the training run; the JVM ignores the cache
            Path jar = copy.home().resolve("lib/externalmetrics-adapter-" + System.getProperty("project.version")
                    + ".jar");
            Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
            startAndStop(copy, config, "stale", "");
            Files.delete(cache);
        }
        startAndStop(copy, config, "missing", "");
    }

    /** Starts the adapter of {@code home} until it serves, stops it; fails on any error the JVM printed. */
    private static void startAndStop(Unpacked home, Path config, String name, String javaOpts) throws Exception {
        try (var launched = Launched.start(dir.resolve("run-aot-" + name), Map.of("JAVA_OPTS", javaOpts), List.of(
                home.home().resolve("bin/externalmetrics-adapter").toString(), "--config", config.toString()))) {
            launched.awaitOut(Pattern.compile("serving https://127\\.0\\.0\\.1:\\d+ "), START);
            launched.process.destroy();
            assertThat(launched.awaitExit(Duration.ofSeconds(15))).as(name + ": exit code; stdout:\n%s\nstderr:\n%s",
                    launched.out(), launched.err()).isEqualTo(EXIT_SIGTERM);
            for (String output : List.of(launched.out(), launched.err())) {
                assertThat(output).as(name).doesNotContain("[aot]", "[error", "AOT cache", "shared archive");
            }
            assertNoJdkWarnings(launched.err());
        }
    }

    /** The jars in {@code lib} with a signature file, {@code META-INF/*.SF}. */
    private static List<String> signedJars(Path lib) throws IOException {
        List<String> signed = new ArrayList<>();
        try (var files = Files.list(lib)) {
            for (Path jar : files.filter(file -> file.toString().endsWith(".jar")).sorted().toList()) {
                try (var file = new JarFile(jar.toFile())) {
                    if (file.stream().anyMatch(entry -> entry.getName().matches("META-INF/[^/]+\\.SF"))) {
                        signed.add(jar.getFileName().toString());
                    }
                }
            }
        }
        return signed;
    }

    /** The class path the launcher builds: every jar of {@code lib}, in byte order of the names. */
    private static String classPath(Path lib) throws IOException {
        try (var files = Files.list(lib)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".jar"))
                    .sorted()
                    .map(name -> lib.resolve(name).toString())
                    .collect(Collectors.joining(":"));
        }
    }

    @Test
    void launcher_onJava17_refusesAndSaysJava21IsNeeded() throws Exception {
        // what /usr/lib/jvm's OpenJDK 17 prints, the machine's default java
        Path javaHome = fakeJava("17.0.15");
        try (var launched = Launched.start(dir.resolve("run-fake-17"), Map.of("JAVA_HOME", javaHome.toString()),
                List.of(provider.home().resolve("bin/externalmetrics-example-provider").toString(), "--help"))) {
            assertThat(launched.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(launched.err()).isEqualTo("externalmetrics-example-provider needs Java 21 or newer, and "
                    + javaHome.resolve("bin/java") + " is Java 17.0.15: set JAVA_HOME to a JDK or JRE 21 or newer\n");
            assertThat(launched.out()).isEmpty();
        }
    }

    @Test
    void launcher_withoutJava_saysWhereItLooked() throws Exception {
        // a PATH with the tools the launcher uses before it looks for java, and no java
        Path tools = Files.createDirectories(dir.resolve("tools-without-java"));
        for (String tool : List.of("dirname", "sed", "ls", "head")) {
            Path found = Arrays.stream(System.getenv("PATH").split(":"))
                    .map(folder -> Path.of(folder, tool))
                    .filter(Files::isExecutable)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(tool + " is not on PATH"));
            Files.createSymbolicLink(tools.resolve(tool), found);
        }
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", null);
        env.put("PATH", tools.toString());
        try (var launched = Launched.start(dir.resolve("run-no-java"), env,
                List.of("/bin/sh", adapter.home().resolve("bin/externalmetrics-adapter").toString()))) {
            assertThat(launched.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(launched.err()).isEqualTo("externalmetrics-adapter: no Java found: set JAVA_HOME to a JDK "
                    + "or JRE 21 or newer, or put its bin/ on PATH\n");
        }
    }

    /** A JAVA_HOME whose bin/java prints {@code version} as OpenJDK does, and otherwise its pid and arguments. */
    private static Path fakeJava(String version) throws Exception {
        return fakeJava(version, null);
    }

    /** {@link #fakeJava(String)} with a {@code release} file saying {@code JAVA_VERSION="releaseVersion"}. */
    private static Path fakeJava(String version, String releaseVersion) throws Exception {
        Path home = dir.resolve("fake-jdk-" + version + "-" + releaseVersion);
        if (releaseVersion != null) {
            Files.createDirectories(home);
            Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\""
                    + releaseVersion + "\"\nJAVA_RUNTIME_VERSION=\"" + releaseVersion + "+9-LTS\"\n");
        }
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                if [ "$1" = -version ]; then
                  echo 'openjdk version "%s" 2025-04-15' >&2
                  echo 'OpenJDK Runtime Environment (build %s)' >&2
                  exit 0
                fi
                echo "pid $$"
                for argument in "$@"; do echo "$argument"; done
                """.formatted(version, version));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    /** The JDK's own warnings are lines starting "WARNING:" (native access, Unsafe, agents) on stderr. */
    private static void assertNoJdkWarnings(String stderr) {
        assertThat(stderr.lines().filter(line -> line.startsWith("WARNING:")).toList())
                .as("JDK warnings on stderr:\n%s", stderr)
                .isEmpty();
        assertThat(stderr).doesNotContain("enable-native-access", "restricted method");
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not serving yet: Await tries again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Trusts the adapter's self-signed certificate, as kubectl's insecure-skip-tls-verify would. */
    private static HttpClient trustingClient() throws Exception {
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
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }
}
