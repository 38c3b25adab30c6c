package io.externalmetrics.adapter.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.externalmetrics.adapter.auth.Attributes;
import io.externalmetrics.adapter.auth.UserInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A kube-apiserver for tests, on HTTPS on 127.0.0.1 with a certificate from its own CA ({@link #ca()}). It
 * answers TokenReview, SubjectAccessReview and GET of the ConfigMap
 * {@code kube-system/extension-apiserver-authentication}; records every request (method, path, Authorization
 * header, body as JSON); and writes a kubeconfig ({@link #kubeconfig()}) with its CA and a bearer token.
 *
 * <p>Answers are programmed: which user may do what ({@link #allow}, {@link #policy}), which token is whose
 * ({@link #token}), the ConfigMap's data ({@link #configMap}). It can fail ({@link #failWith}), answer anything
 * ({@link #answerRaw}), hold answers until the test lets them go ({@link #hold}), and stop ({@link #stop}).
 *
 * <pre>{@code
 * var apiserver = closer.register(FakeKubeApiServer.start(tempDir));
 * apiserver.allow("alice", new Attributes.NonResource("/apis", "get"));
 * var access = KubernetesAccess.fromKubeconfig(apiserver.kubeconfig(), Timeouts.DEFAULT);
 * }</pre>
 */
public final class FakeKubeApiServer implements AutoCloseable {

    public static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
    public static final String SUBJECT_ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
    public static final String EXTENSION_CONFIG_MAP =
            "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication";
    /** The bearer token the written kubeconfig carries. */
    public static final String KUBECONFIG_TOKEN = "kubeconfig-token-of-the-adapter";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as received: the Authorization header, and the body as JSON (a null node when empty). */
    public record Request(String method, String path, Optional<String> authorization, JsonNode body) {

        /** The SubjectAccessReview's or TokenReview's spec. */
        public JsonNode spec() {
            return body.path("spec");
        }
    }

    /** What one SubjectAccessReview asked: who, and to do what. */
    public record AccessReview(UserInfo user, Attributes attributes) {
    }

    /** A SubjectAccessReview status; empty strings are left out of the answer. */
    public record SarStatus(boolean allowed, boolean denied, String reason, String evaluationError) {

        public static SarStatus allow(String reason) {
            return new SarStatus(true, false, reason, "");
        }

        public static SarStatus deny(String reason) {
            return new SarStatus(false, false, reason, "");
        }
    }

    /** Holds every review's answer until {@link #release()}; counts the requests it holds. */
    public static final class Gate {
        private final CountDownLatch released = new CountDownLatch(1);
        private final AtomicInteger arrived = new AtomicInteger();

        /** How many requests have reached the gate. */
        public int arrived() {
            return arrived.get();
        }

        public void release() {
            released.countDown();
        }

        private void pass() {
            arrived.incrementAndGet();
            try {
                if (!released.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("a held request was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private record Failure(int status, String body) {
    }

    private final HttpsServer server;
    private final ExecutorService executor;
    private final TestPki.Issued ca;
    private final Path kubeconfig;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, UserInfo> tokens = new ConcurrentHashMap<>();
    private final Map<String, List<Attributes>> allowed = new ConcurrentHashMap<>();
    private final AtomicReference<BiFunction<UserInfo, Attributes, SarStatus>> policy = new AtomicReference<>();
    private final AtomicReference<Map<String, String>> configMap = new AtomicReference<>();
    private final AtomicReference<Failure> failure = new AtomicReference<>();
    private final AtomicReference<Gate> gate = new AtomicReference<>();

    private FakeKubeApiServer(HttpsServer server, ExecutorService executor, TestPki.Issued ca, Path dir) {
        this.server = server;
        this.executor = executor;
        this.ca = ca;
        policy.set(this::rules);
        server.createContext("/", this::handle);
        server.start();
        this.kubeconfig = writeKubeconfig(dir.resolve("kubeconfig"), KUBECONFIG_TOKEN);
    }

    /** Starts on a free port of 127.0.0.1, writing its kubeconfig into {@code dir}. */
    public static FakeKubeApiServer start(Path dir) {
        TestPki.Issued ca = TestPki.ca("fake-kube-apiserver-ca");
        TestPki.Issued serving = ca.issue("kube-apiserver", "127.0.0.1", "localhost");
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            var server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(sslContext(serving, ca)));
            server.setExecutor(executor);
            return new FakeKubeApiServer(server, executor, ca, dir);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException(e);
        }
    }

    private static SSLContext sslContext(TestPki.Issued serving, TestPki.Issued ca) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = "unused".toCharArray();
            keys.setKeyEntry("serving", serving.keyPair().getPrivate(), password,
                    new X509Certificate[] {serving.certificate(), ca.certificate()});
            var factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the fake kube-apiserver's TLS", e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "https://127.0.0.1:" + port();
    }

    /** The CA of the serving certificate (for an in-cluster {@code ca.crt}). */
    public TestPki.Issued ca() {
        return ca;
    }

    /** A kubeconfig for this server with {@link #KUBECONFIG_TOKEN} as bearer token. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /** Writes a kubeconfig for this server whose user sends {@code token}. */
    public Path writeKubeconfig(Path file, String token) {
        String caData = Base64.getEncoder().encodeToString(
                TestPki.pem(ca.certificate()).getBytes(StandardCharsets.US_ASCII));
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: fake
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: adapter
                  user:
                    token: %s
                contexts:
                - name: fake
                  context:
                    cluster: fake
                    user: adapter
                current-context: fake
                """.formatted(url(), caData, token);
        try {
            return Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- programming the answers

    /** Allows {@code user} exactly {@code attributes}; everything not allowed is denied. */
    public void allow(String user, Attributes attributes) {
        allowed.computeIfAbsent(user, u -> new CopyOnWriteArrayList<>()).add(attributes);
    }

    /** Replaces the allow rules with {@code decide}, which sees every SubjectAccessReview's user and attributes. */
    public void policy(BiFunction<UserInfo, Attributes, SarStatus> decide) {
        policy.set(decide);
    }

    /** TokenReview: {@code token} is {@code user}'s; other tokens are not authenticated. */
    public void token(String token, UserInfo user) {
        tokens.put(token, user);
    }

    /** The ConfigMap's data; until set, the ConfigMap does not exist (404). */
    public void configMap(Map<String, String> data) {
        configMap.set(Map.copyOf(data));
    }

    /** Every request is answered {@code status} with a Kubernetes Status body, until {@link #recover()}. */
    public void failWith(int status) {
        answerRaw(status, """
                {"kind":"Status","apiVersion":"v1","status":"Failure","message":"fake failure","code":%d}"""
                .formatted(status));
    }

    /**
     * Every request is answered {@code status} with {@code body}, which may be malformed or say anything, until
     * {@link #recover()}.
     */
    public void answerRaw(int status, String body) {
        failure.set(new Failure(status, body));
    }

    public void recover() {
        failure.set(null);
    }

    /** Holds every answer from now until the returned gate is released. */
    public Gate hold() {
        Gate held = new Gate();
        gate.set(held);
        return held;
    }

    // ---- what was asked

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests on {@code path} (as {@link #SUBJECT_ACCESS_REVIEWS}), in order. */
    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** The SubjectAccessReviews received, in order, as the user and attributes they name. */
    public List<AccessReview> accessReviews() {
        return requests(SUBJECT_ACCESS_REVIEWS).stream()
                .map(r -> new AccessReview(user(r.spec()), attributes(r.spec())))
                .toList();
    }

    public int count(String path) {
        return requests(path).size();
    }

    /** Stops listening: later requests find nothing (connection refused). */
    public void stop() {
        Gate held = gate.getAndSet(null);
        if (held != null) {
            held.release();
        }
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public void close() {
        stop();
    }

    // ---- serving

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            JsonNode body = bytes.length == 0 ? JSON.nullNode() : JSON.readTree(bytes);
            String path = exchange.getRequestURI().getPath();
            requests.add(new Request(exchange.getRequestMethod(), path,
                    Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")), body));
            Gate held = gate.get();
            if (held != null) {
                held.pass();
            }
            Failure failed = failure.get();
            if (failed != null) {
                respond(exchange, failed.status(), failed.body());
                return;
            }
            String method = exchange.getRequestMethod();
            if (method.equals("POST") && path.equals(SUBJECT_ACCESS_REVIEWS)) {
                respond(exchange, 201, JSON.writeValueAsString(subjectAccessReview(body)));
            } else if (method.equals("POST") && path.equals(TOKEN_REVIEWS)) {
                respond(exchange, 201, JSON.writeValueAsString(tokenReview(body)));
            } else if (method.equals("GET") && path.equals(EXTENSION_CONFIG_MAP) && configMap.get() != null) {
                respond(exchange, 200, JSON.writeValueAsString(configMapJson(configMap.get())));
            } else {
                respond(exchange, 404, """
                        {"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");
            }
        } catch (RuntimeException e) {
            respond(exchange, 500, "{\"kind\":\"Status\",\"code\":500}");
            throw e;
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private ObjectNode subjectAccessReview(JsonNode body) {
        JsonNode spec = body.path("spec");
        SarStatus decided = policy.get().apply(user(spec), attributes(spec));
        ObjectNode answer = JSON.createObjectNode()
                .put("apiVersion", "authorization.k8s.io/v1")
                .put("kind", "SubjectAccessReview");
        answer.set("spec", spec);
        ObjectNode status = answer.putObject("status").put("allowed", decided.allowed());
        if (decided.denied()) {
            status.put("denied", true);
        }
        if (!decided.reason().isEmpty()) {
            status.put("reason", decided.reason());
        }
        if (!decided.evaluationError().isEmpty()) {
            status.put("evaluationError", decided.evaluationError());
        }
        return answer;
    }

    private SarStatus rules(UserInfo user, Attributes attributes) {
        return allowed.getOrDefault(user.name(), List.of()).contains(attributes)
                ? SarStatus.allow("fake: allowed by rule")
                : SarStatus.deny("fake: no rule allows it");
    }

    private ObjectNode tokenReview(JsonNode body) {
        ObjectNode answer = JSON.createObjectNode()
                .put("apiVersion", "authentication.k8s.io/v1")
                .put("kind", "TokenReview");
        UserInfo user = tokens.get(body.path("spec").path("token").asText());
        ObjectNode status = answer.putObject("status").put("authenticated", user != null);
        if (user == null) {
            status.put("error", "fake: unknown token");
            return answer;
        }
        ObjectNode json = status.putObject("user").put("username", user.name());
        if (!user.uid().isEmpty()) {
            json.put("uid", user.uid());
        }
        user.groups().forEach(json.putArray("groups")::add);
        ObjectNode extra = json.putObject("extra");
        user.extra().forEach((key, values) -> values.forEach(extra.putArray(key)::add));
        return answer;
    }

    private static ObjectNode configMapJson(Map<String, String> data) {
        ObjectNode answer = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        answer.putObject("metadata").put("name", "extension-apiserver-authentication").put("namespace", "kube-system");
        ObjectNode json = answer.putObject("data");
        data.forEach(json::put);
        return answer;
    }

    /** The user a SubjectAccessReview's spec names. */
    public static UserInfo user(JsonNode spec) {
        List<String> groups = new ArrayList<>();
        spec.path("groups").forEach(g -> groups.add(g.asText()));
        Map<String, List<String>> extra = new LinkedHashMap<>();
        spec.path("extra").properties().forEach(e -> {
            List<String> values = new ArrayList<>();
            e.getValue().forEach(v -> values.add(v.asText()));
            extra.put(e.getKey(), values);
        });
        return new UserInfo(spec.path("user").asText(), spec.path("uid").asText(""), groups, extra);
    }

    /** The attributes a SubjectAccessReview's spec asks about. */
    public static Attributes attributes(JsonNode spec) {
        JsonNode resource = spec.path("resourceAttributes");
        if (!resource.isMissingNode()) {
            return new Attributes.Resource(resource.path("verb").asText(), resource.path("group").asText(),
                    resource.path("version").asText(), resource.path("resource").asText(),
                    resource.path("namespace").asText(""));
        }
        JsonNode nonResource = spec.path("nonResourceAttributes");
        return new Attributes.NonResource(nonResource.path("path").asText(), nonResource.path("verb").asText());
    }
}
