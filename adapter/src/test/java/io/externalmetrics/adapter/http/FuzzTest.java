package io.externalmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.externalmetrics.adapter.auth.UserInfo;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeKubeApiServer;
import io.externalmetrics.adapter.testing.FakeKubernetes;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.Https;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.adapter.testing.TestPki.Issued;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.Series;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Thousands of random requests against a real adapter over HTTPS, half as raw HTTP/1.1 bytes (what
 * no well-behaved client sends) and half over HTTP/2: adversarial paths, query strings, selectors,
 * headers and methods ({@link FuzzRequests}). Every answer must be one a client can live with: no
 * 5xx but a 503 Status from the values route (a stale metric), every error a Kubernetes
 * {@code Status}, nothing in any body that shows the adapter's insides (stack traces, file paths);
 * every request gets an answer, and the adapter is still healthy and serving at the end.
 *
 * <p>A failure prints the seed; {@code -Dfuzz.seed=N} replays it ({@code -Dfuzz.requests=N} sets how
 * many requests per target, 2000 by default). Each {@link Target} is one adapter set-up and one client: add a
 * target to run the same fuzz with authentication on, as another user, with a client certificate.
 */
class FuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What no body may contain unless the request itself did (then it is an echo of the input). */
    private static final List<String> INSIDES = List.of("at io.", "at java.", "Exception", "/work", "/tmp", ".java",
            "/home/", "/etc/");
    private static final int WORKERS = 4;
    private static final int MAX_REPORTED = 15;

    /**
     * Who is fuzzed and as whom.
     *
     * @param name    shown in the test's name
     * @param adapter starts the adapter given the provider serving {@code queue-depth} and {@code base-only}
     * @param client  the client's TLS (trust, and a client certificate if any) and headers sent with every
     *                request (say {@code Authorization}), given the started adapter
     */
    record Target(String name, Function<FakeProvider, TestAdapter> adapter, Function<TestAdapter, Client> client) {

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * A client of the fuzz.
     *
     * @param tls     trusts the adapter; holds a client certificate when the target authenticates by one
     * @param headers sent with every request, after the random ones (so that a random identity header
     *                comes first, and is the one a server taking the first value reads)
     */
    record Client(SSLContext tls, List<Map.Entry<String, String>> headers) {
    }

    /** Files of the targets' set-ups (CA files, the fake kube-apiserver's kubeconfig). */
    @TempDir
    static Path files;
    private static FakeKubeApiServer kubeApiserver;

    @AfterAll
    static void stopKubeApiserver() {
        if (kubeApiserver != null) {
            kubeApiserver.close();
        }
    }

    static Stream<Target> targets() {
        Issued proxyCa = TestPki.ca("front-proxy-ca");
        Issued proxy = proxyCa.issueClient("CN=front-proxy-client", KeyPurposeId.id_kp_clientAuth);
        return Stream.of(
                new Target("no authentication, anonymous client",
                        provider -> TestAdapter.withProviders(providersYaml(provider)),
                        adapter -> new Client(Https.trusting(adapter.certificatePem()), List.of())),
                // random X-Remote-* headers then name other users (403), groups, extras: all trusted from the proxy
                new Target("front proxy and SubjectAccessReview, the proxy calling as alice",
                        provider -> frontProxyAdapter(provider, proxyCa),
                        adapter -> new Client(Https.presenting(adapter.certificatePem(), proxy),
                                List.of(Map.entry("X-Remote-User", "alice")))),
                // no certificate: random identity headers are ignored (401); random bearer tokens go through a
                // real TokenReview, and requests carrying bob's token through a real SubjectAccessReview (random
                // paths in its JSON), both over the fabric8 client to a fake kube-apiserver
                new Target("TokenReview and SubjectAccessReview on a kube-apiserver, a client with a token",
                        provider -> kubeApiserverAdapter(provider, proxyCa),
                        adapter -> new Client(Https.trusting(adapter.certificatePem()),
                                List.of(Map.entry("Authorization", "Bearer bobs-token")))));
    }

    /** An adapter reviewing tokens and access with a fake kube-apiserver that knows one token, bob's. */
    private static TestAdapter kubeApiserverAdapter(FakeProvider provider, Issued proxyCa) {
        kubeApiserver = FakeKubeApiServer.start(files);
        kubeApiserver.token("bobs-token", UserInfo.of("bob", List.of("fuzzers")));
        kubeApiserver.policy((user, attributes) -> user.name().equals("bob")
                ? FakeKubeApiServer.SarStatus.allow("") : FakeKubeApiServer.SarStatus.deny("only bob"));
        return TestAdapter.startReachingKubernetes(ConfigLoader.parse("""
                server: {address: 127.0.0.1, port: 0}
                providers:
                %s
                authentication:
                  requestHeader: {clientCAFile: '%s'}
                  tokenReview: true
                authorization: {mode: SubjectAccessReview}
                kubernetes: {kubeconfig: '%s'}
                """.formatted(providersYaml(provider), proxyCa.writeCertificate(files.resolve("kube-proxy-ca.crt")),
                kubeApiserver.kubeconfig())));
    }

    /** An adapter trusting the front proxy's CA, asking a fake kube-apiserver that allows only alice. */
    private static TestAdapter frontProxyAdapter(FakeProvider provider, Issued proxyCa) {
        Path caFile = files.resolve("front-proxy-ca.crt");
        return TestAdapter.start(ConfigLoader.parse("""
                server: {address: 127.0.0.1, port: 0}
                providers:
                %s
                authentication:
                  requestHeader: {clientCAFile: '%s', allowedNames: [front-proxy-client]}
                authorization: {mode: SubjectAccessReview}
                """.formatted(providersYaml(provider), proxyCa.writeCertificate(caFile))),
                new FakeKubernetes(Set.of("alice")));
    }

    /** The provider's two metrics as a {@code providers:} list, for a target's configuration. */
    static String providersYaml(FakeProvider provider) {
        return """
                  - name: fuzzed
                    target: 127.0.0.1:%d
                    metrics:
                      - {namespace: "*", name: queue-depth, interval: 1s, maxAge: 1h}
                      - {namespace: "*", name: base-only, interval: 1s, maxAge: 1h}
                """.formatted(provider.port());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void randomRequests_getAnswersThatGiveNothingAway_andTheAdapterKeepsServing(Target target) throws Exception {
        long seed = Long.getLong("fuzz.seed", new SecureRandom().nextLong());
        int requests = Integer.getInteger("fuzz.requests", 2000);
        try (FakeProvider provider = FakeProvider.start(0)
                .metric("queue-depth", request -> FetchResponse.newBuilder()
                        .addSeries(Series.newBuilder().putLabels("queue", "orders").putLabels("region", "eu")
                                .setValue(3))
                        .addSeries(Series.newBuilder().putLabels("queue", "billing").setValue(1.5))
                        .build())
                .value("base-only", 42);
             TestAdapter adapter = target.adapter().apply(provider)) {
            Client client = target.client().apply(adapter);
            try (Fuzz fuzz = new Fuzz(seed, adapter.port(), client)) {
                fuzzAndCheck(fuzz, seed, requests);
            }
        }
    }

    private static void fuzzAndCheck(Fuzz fuzz, long seed, int requests) throws Exception {
        Await.until("both metrics to be served", Duration.ofSeconds(30), fuzz::isServing);

        String replay = "fuzz seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")";
        System.out.println(replay + ": " + requests + " requests"); // printed first: a run that throws keeps it
        try {
            fuzz.run(requests);
        } catch (Exception | AssertionError e) {
            throw new AssertionError(replay + ": the run failed: " + e, e);
        }

        String report = replay + ", " + requests + " requests, answers " + new TreeMap<>(fuzz.statuses)
                + ", not sent over HTTP/2 (the JDK client refuses them): " + fuzz.unsendable.sum();
        System.out.println(report);
        assertThat(fuzz.failures).as(report).isEmpty();
        assertThat(fuzz.isServing()).as(report + ": serving after the fuzz").isTrue();
    }

    /** One run: the clients, what was seen, and the checks. */
    private static final class Fuzz implements AutoCloseable {

        final long seed;
        final int port;
        final Client client;
        final HttpClient http2;
        final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final LongAdder unsendable = new LongAdder();
        final AtomicInteger failureCount = new AtomicInteger();

        Fuzz(long seed, int port, Client client) {
            this.seed = seed;
            this.port = port;
            this.client = client;
            this.http2 = HttpClient.newBuilder().sslContext(client.tls()).version(HttpClient.Version.HTTP_2)
                    .connectTimeout(Duration.ofSeconds(5)).build();
        }

        /** Health endpoints answer ok and a valid read of each metric answers its value. */
        boolean isServing() {
            try {
                return serving();
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private boolean serving() throws IOException, InterruptedException {
            try (var raw = new RawHttp1(client.tls(), port)) {
                for (String path : List.of("/healthz", "/readyz", "/livez")) {
                    Optional<RawHttp1.Answer> answer = raw.send(request("GET", path), false);
                    if (answer.isEmpty() || answer.get().status() != 200 || !answer.get().body().equals("ok")) {
                        return false;
                    }
                }
                for (String read : List.of("queue-depth?labelSelector=queue%3Dorders", "base-only")) {
                    Optional<RawHttp1.Answer> answer = raw.send(request("GET", FuzzRequests.VALUES + "default/" + read),
                            false);
                    if (answer.isEmpty() || answer.get().status() != 200
                            || !answer.get().body().contains(read.startsWith("base") ? "\"42\"" : "\"3\"")) {
                        return false;
                    }
                }
            }
            return http2.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/readyz"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        }

        private byte[] request(String method, String target) {
            return RawHttp1.encode(new FuzzRequests.Request(method, target, client.headers(), ""), port);
        }

        void run(int requests) throws Exception {
            var next = new AtomicInteger();
            try (var workers = Executors.newFixedThreadPool(WORKERS)) {
                var done = new ArrayList<Future<?>>();
                for (int w = 0; w < WORKERS; w++) {
                    done.add(workers.submit(() -> {
                        try (var raw = new RawHttp1(client.tls(), port)) {
                            for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                                FuzzRequests.Request generated = FuzzRequests.generate(seed, i);
                                var request = new FuzzRequests.Request(generated.method(), generated.target(),
                                        concat(generated.headers(), client.headers()), generated.body());
                                if (i % 2 == 0) {
                                    sendHttp1(raw, i, request);
                                } else {
                                    sendHttp2(i, request);
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> worker : done) {
                    worker.get();
                }
            }
        }

        @Override
        public void close() {
            http2.shutdownNow();
        }

        private void sendHttp1(RawHttp1 raw, int index, FuzzRequests.Request request) throws IOException {
            boolean head = request.method().equals("HEAD");
            Optional<RawHttp1.Answer> answer = raw.send(RawHttp1.encode(request, port), head);
            if (answer.isEmpty()) {
                fail(index, "HTTP/1.1", request, "no answer: the connection ended before a status line");
                return;
            }
            long headerBytes = request.headers().stream()
                    .mapToLong(h -> utf8(h.getKey()) + utf8(h.getValue()) + 4).sum();
            check(index, "HTTP/1.1", request, oversize(utf8(request.target()), headerBytes), answer.get().status(),
                    Optional.ofNullable(answer.get().headers().get("content-type")), answer.get().body());
        }

        private void sendHttp2(int index, FuzzRequests.Request request) {
            Optional<HttpRequest> built = http2Request(request);
            if (built.isEmpty()) {
                unsendable.increment();
                return;
            }
            HttpResponse<String> response;
            try {
                response = http2.send(built.get(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                fail(index, "HTTP/2", request, "no answer: " + e);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            long headerBytes = built.get().headers().map().entrySet().stream()
                    .mapToLong(h -> h.getValue().stream().mapToLong(v -> utf8(h.getKey()) + utf8(v) + 4).sum()).sum();
            String target = built.get().uri().getRawPath() + Optional.ofNullable(built.get().uri().getRawQuery())
                    .map(query -> "?" + query).orElse("");
            check(index, "HTTP/2", request, oversize(utf8(target), headerBytes), response.statusCode(),
                    response.headers().firstValue("content-type"), response.body());
        }

        /** The request as the JDK's client can send it: characters a URI cannot hold encoded; empty if it refuses. */
        private Optional<HttpRequest> http2Request(FuzzRequests.Request request) {
            try {
                String target = request.target().startsWith("/") ? request.target() : "/" + request.target();
                var builder = HttpRequest.newBuilder(URI.create("https://localhost:" + port + uriSafe(target)))
                        .timeout(Duration.ofSeconds(10))
                        .method(request.method(), request.body().isEmpty() ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(request.body()));
                for (Map.Entry<String, String> header : request.headers()) {
                    if (connectionSpecific(header)) {
                        continue;
                    }
                    try {
                        builder.header(header.getKey(), header.getValue());
                    } catch (IllegalArgumentException e) {
                        // a restricted or invalid header: sent without it
                    }
                }
                return Optional.of(builder.build());
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }

        /**
         * A header that makes an HTTP/2 request malformed (RFC 9113, section 8.2.2), which a server resets
         * rather than answers (Helidon ends the whole connection); the JDK's client refuses the others.
         */
        private static boolean connectionSpecific(Map.Entry<String, String> header) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            return name.equals("transfer-encoding") || (name.equals("te") && !header.getValue().equals("trailers"));
        }

        /**
         * Whether a request is over the adapter's limits (as the client counts: the server sees a few more
         * bytes, a Host header, so it may also refuse a request just under them).
         */
        private static boolean oversize(long targetBytes, long headerBytes) {
            return targetBytes > RequestChecks.MAX_TARGET_BYTES || headerBytes > RequestChecks.MAX_HEADER_BYTES;
        }

        private static long utf8(String s) {
            return s.getBytes(StandardCharsets.UTF_8).length;
        }

        private void check(int index, String protocol, FuzzRequests.Request request, boolean oversize, int status,
                           Optional<String> contentType, String body) {
            statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
            String decodedRequest = lenientDecode(request.target() + " " + request.headers() + " " + request.body());
            for (String inside : INSIDES) {
                if (body.contains(inside) && !decodedRequest.contains(inside) && !request.target().contains(inside)) {
                    fail(index, protocol, request, status + " with \"" + inside + "\" in its body: " + body);
                    return;
                }
            }
            boolean valuesRoute = request.target().startsWith(FuzzRequests.VALUES);
            if (status >= 500 && !(status == 503 && valuesRoute)) {
                fail(index, protocol, request, status + ": " + body);
                return;
            }
            if (oversize && status != 400 && status != 414 && status != 431) {
                fail(index, protocol, request, status + " to a request over the size limits (400, 414 or 431 "
                        + "expected)");
                return;
            }
            if (status < 400 || request.method().equals("HEAD")) {
                return;
            }
            if (contentType.orElse("").startsWith("text/plain") && body.startsWith("no such check: ")) {
                return; // a health check's own answer, text as Kubernetes' healthz writes it
            }
            Optional<String> notStatus = notAStatus(status, contentType, body);
            notStatus.ifPresent(why -> fail(index, protocol, request, status + " " + why + ": " + body));
        }

        private static Optional<String> notAStatus(int status, Optional<String> contentType, String body) {
            if (!contentType.orElse("").startsWith("application/json")) {
                return Optional.of("has content type " + contentType.orElse("(none)") + ", not a JSON Status");
            }
            JsonNode json;
            try {
                json = JSON.readTree(body);
            } catch (IOException e) {
                return Optional.of("body is not JSON");
            }
            if (json == null || !json.path("kind").asText().equals("Status")
                    || !json.path("apiVersion").asText().equals("v1")
                    || !json.path("status").asText().equals("Failure") || json.path("code").asInt() != status
                    || json.path("message").asText().isBlank() || json.path("reason").asText().isBlank()) {
                return Optional.of("body is not a Failure Status with code " + status);
            }
            if (status == 503 && !json.path("reason").asText().equals("ServiceUnavailable")) {
                return Optional.of("is not a ServiceUnavailable Status");
            }
            return Optional.empty();
        }

        private void fail(int index, String protocol, FuzzRequests.Request request, String what) {
            if (failureCount.incrementAndGet() <= MAX_REPORTED) {
                String shown = what.length() <= 600 ? what : what.substring(0, 600) + "...";
                failures.add("#" + index + " " + protocol + " " + request.describe() + "\n    -> " + shown);
            }
        }
    }

    private static List<Map.Entry<String, String>> concat(List<Map.Entry<String, String>> first,
                                                          List<Map.Entry<String, String>> second) {
        var all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** {@code target} with every character a {@link URI} refuses percent-encoded (valid escapes kept). */
    private static String uriSafe(String target) {
        var out = new StringBuilder();
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            boolean escape = c == '%' && isHex(target, i + 1) && isHex(target, i + 2);
            if (escape || (c < 0x7f && c > 0x20 && "\"<>\\^`{|}#%".indexOf(c) < 0)) {
                out.append(c);
            } else {
                out.append(FuzzRequests.percentAll(Character.toString(c)));
            }
        }
        return out.toString();
    }

    private static boolean isHex(String s, int at) {
        return at < s.length() && Character.digit(s.charAt(at), 16) >= 0;
    }

    /** Percent-escapes decoded where they are valid, the rest left as is: what a message could echo. */
    private static String lenientDecode(String s) {
        var bytes = new ByteArrayOutputStream();
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%' && i + 2 < raw.length && Character.digit(raw[i + 1], 16) >= 0
                    && Character.digit(raw[i + 2], 16) >= 0) {
                bytes.write(Character.digit(raw[i + 1], 16) * 16 + Character.digit(raw[i + 2], 16));
                i += 2;
            } else {
                bytes.write(raw[i] == '+' ? ' ' : raw[i]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8) + " " + s.toLowerCase(Locale.ROOT);
    }
}
