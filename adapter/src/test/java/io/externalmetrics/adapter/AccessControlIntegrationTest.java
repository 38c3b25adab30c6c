package io.externalmetrics.adapter;

import static io.externalmetrics.adapter.testing.TestAdapter.VALUES;
import static io.externalmetrics.adapter.testing.TestAdapter.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.externalmetrics.adapter.auth.Attributes;
import io.externalmetrics.adapter.auth.UserInfo;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeKubernetes;
import io.externalmetrics.adapter.testing.FakeKubernetes.Review;
import io.externalmetrics.adapter.testing.Https;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.adapter.testing.TestPki.Issued;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real adapter behind the checks, with a fake kube-apiserver deciding: the front proxy (its own
 * CA and client certificates), ordinary client certificates, bearer tokens, and callers with
 * nothing or with the wrong certificate, each over real HTTPS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessControlIntegrationTest {

    private static final String METRIC = "queue-depth";
    private static final String READ = VALUES + "default/" + METRIC;
    private static final String ANONYMOUS_METRICS_401 =
            "externalmetrics_http_requests_total{code=\"401\",route=\"metrics\"} 1";

    private final Issued proxyCa = TestPki.ca("front-proxy-ca");
    private final Issued clientCa = TestPki.ca("client-ca");
    private final Issued otherCa = TestPki.ca("front-proxy-ca"); // same name, another key
    private final Issued proxy = proxyCa.issueClient("CN=front-proxy-client", KeyPurposeId.id_kp_clientAuth);
    private final FakeKubernetes kubernetes = new FakeKubernetes(Set.of("alice", FakeKubernetes.TOKEN_USER.name()));
    private MetricProviderServer provider;
    private TestAdapter adapter;

    @BeforeAll
    void start(@TempDir Path dir) {
        provider = MetricProviderServer.builder()
                .port(0)
                .addMetric(Namespace.ALL, METRIC, Trigger.every(Duration.ofSeconds(10)), request -> Value.of(5))
                .build()
                .start();
        adapter = TestAdapter.start(ConfigLoader.parse("""
                server: {address: 127.0.0.1, port: 0}
                providers: [{name: example, target: "127.0.0.1:%d", deadline: 5s}]
                authentication:
                  requestHeader:
                    clientCAFile: %s
                    allowedNames: [front-proxy-client]
                  clientCAFile: %s
                  tokenReview: true
                authorization:
                  mode: SubjectAccessReview
                """.formatted(provider.port(), proxyCa.writeCertificate(dir.resolve("proxy-ca.crt")),
                clientCa.writeCertificate(dir.resolve("client-ca.crt")))), kubernetes);
        Await.until("the metric to have a value", Duration.ofSeconds(30),
                () -> get(proxyClient(proxy), READ, "X-Remote-User", "alice").statusCode() == 200);
    }

    @AfterAll
    void stop() {
        if (adapter != null) {
            adapter.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    @BeforeEach
    void reachable() {
        kubernetes.unreachable(false);
        kubernetes.clearReviews();
    }

    @Test
    void noCredentials_is401UnauthorizedStatus() {
        for (String path : List.of(READ, "/apis", "/debug/inventory", "/nope")) {
            HttpResponse<String> response = get(anonymous(HttpClient.Version.HTTP_2), path);

            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(json(response).get("reason").asText()).isEqualTo("Unauthorized");
            assertThat(json(response).get("kind").asText()).isEqualTo("Status");
        }
        assertThat(kubernetes.reviews()).isEmpty();
    }

    @Test
    void identityHeaders_withoutCertificate_areIgnored() {
        HttpResponse<String> response = get(anonymous(HttpClient.Version.HTTP_2), READ, "X-Remote-User", "alice",
                "X-Remote-Group", "system:masters");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(kubernetes.reviews()).isEmpty();
    }

    @Test
    void identityHeaders_fromACertificateOfAnotherCa_areIgnored() {
        Issued impostor = otherCa.issueClient("CN=front-proxy-client", KeyPurposeId.id_kp_clientAuth);

        HttpResponse<String> response = get(proxyClient(impostor), READ, "X-Remote-User", "alice",
                "X-Remote-Group", "system:masters");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(kubernetes.reviews()).isEmpty();
    }

    @Test
    void identityHeaders_fromTheProxyCaWithANameNotAllowed_areIgnored() {
        Issued notTheProxy = proxyCa.issueClient("CN=someone-else", KeyPurposeId.id_kp_clientAuth);

        HttpResponse<String> response = get(proxyClient(notTheProxy), READ, "X-Remote-User", "alice");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(kubernetes.reviews()).isEmpty();
    }

    @Test
    void identityHeaders_fromAProxyCertificateNotForClientAuth_areIgnored() {
        Issued serverOnly = proxyCa.issueClient("CN=front-proxy-client", KeyPurposeId.id_kp_serverAuth);

        HttpResponse<String> response = get(proxyClient(serverOnly), READ, "X-Remote-User", "alice");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    }

    @Test
    void frontProxy_withoutUsernameHeader_is401() {
        HttpResponse<String> response = get(proxyClient(proxy), READ, "X-Remote-Group", "system:masters");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    }

    @ParameterizedTest
    @EnumSource(value = HttpClient.Version.class)
    void frontProxy_allowedUser_readsAndTheReviewCarriesTheIdentity(HttpClient.Version version) {
        HttpResponse<String> response = get(proxyClient(proxy, version), READ,
                "X-Remote-User", "alice", "X-Remote-Uid", "uid-1", "X-Remote-Group", "devs",
                "X-Remote-Group", "system:authenticated", "X-Remote-Extra-Scopes", "read",
                "X-Remote-Extra-Acme.com%2fProject", "p1", "X-Remote-Extra-Acme.com%2fProject", "p2");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).at("/items/0/value").asText()).isEqualTo("5");
        assertThat(kubernetes.reviews()).containsExactly(new Review(
                new UserInfo("alice", "uid-1", List.of("devs", "system:authenticated"),
                        Map.of("scopes", List.of("read"), "acme.com/project", List.of("p1", "p2"))),
                new Attributes.Resource("list", "external.metrics.k8s.io", "v1beta1", METRIC, "default")));
    }

    @Test
    void frontProxy_deniedUser_is403NamingUserVerbAndResource() {
        HttpResponse<String> read = get(proxyClient(proxy), READ, "X-Remote-User", "mallory");
        HttpResponse<String> discovery = get(proxyClient(proxy), "/apis", "X-Remote-User", "mallory");

        assertThat(read.statusCode()).isEqualTo(403);
        JsonNode status = json(read);
        assertThat(status.get("reason").asText()).isEqualTo("Forbidden");
        assertThat(status.get("code").asInt()).isEqualTo(403);
        assertThat(status.get("message").asText()).isEqualTo("queue-depth.external.metrics.k8s.io is forbidden: "
                + "User \"mallory\" cannot list resource \"queue-depth\" in API group \"external.metrics.k8s.io\" "
                + "in the namespace \"default\": no RBAC rule");
        assertThat(discovery.statusCode()).isEqualTo(403);
        assertThat(json(discovery).get("message").asText())
                .isEqualTo("forbidden: User \"mallory\" cannot get path \"/apis\": no RBAC rule");
    }

    @Test
    void otherPaths_areNonResourceRequests_withTheMethodAsVerb() {
        get(proxyClient(proxy), "/debug/inventory", "X-Remote-User", "alice");
        try (var client = proxyClient(proxy)) {
            Https.send(client, HttpRequest.newBuilder(URI.create(adapter.url("/apis")))
                    .header("X-Remote-User", "alice")
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(10))
                    .build());
        }

        assertThat(kubernetes.reviews()).extracting(Review::attributes).containsExactly(
                new Attributes.NonResource("/debug/inventory", "get"),
                new Attributes.NonResource("/apis", "head"));
    }

    @Test
    void metrics_isANonResourcePath_behindTheSameChecks() {
        HttpResponse<String> anonymous = get(anonymous(HttpClient.Version.HTTP_2), "/metrics");
        HttpResponse<String> denied = get(proxyClient(proxy), "/metrics", "X-Remote-User", "mallory");
        // the 401 is counted once its answer is sent, so a scrape can be a step ahead of it (alice's review is
        // kept, so scraping again asks the kube-apiserver nothing more)
        var scraped = new AtomicReference<HttpResponse<String>>();
        Await.until("the 401 counted", Duration.ofSeconds(10), () -> {
            scraped.set(get(proxyClient(proxy), "/metrics", "X-Remote-User", "alice"));
            return scraped.get().body().contains(ANONYMOUS_METRICS_401);
        });
        HttpResponse<String> allowed = scraped.get();

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(json(denied).get("message").asText())
                .isEqualTo("forbidden: User \"mallory\" cannot get path \"/metrics\": no RBAC rule");
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(allowed.body()).contains(ANONYMOUS_METRICS_401);
        assertThat(kubernetes.reviews()).extracting(Review::attributes).containsExactly(
                new Attributes.NonResource("/metrics", "get"), new Attributes.NonResource("/metrics", "get"));
    }

    @Test
    void debugPages_areNonResourcePaths_behindTheSameChecks() {
        String explain = "/debug/explain?namespace=default&metric=" + METRIC;
        for (String path : List.of(explain, "/debug/")) {
            HttpResponse<String> anonymous = get(anonymous(HttpClient.Version.HTTP_2), path);
            HttpResponse<String> denied = get(proxyClient(proxy), path, "X-Remote-User", "mallory");
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(denied.statusCode()).as(path).isEqualTo(403);
            assertThat(denied.body()).as(path).doesNotContain(METRIC + "\"");
        }
        HttpResponse<String> allowed = get(proxyClient(proxy), explain, "X-Remote-User", "alice");

        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(json(allowed).get("answer").get("code").asInt()).isEqualTo(200);
        assertThat(kubernetes.reviews()).extracting(Review::attributes).containsExactly(
                new Attributes.NonResource("/debug/explain", "get"), new Attributes.NonResource("/debug/", "get"),
                new Attributes.NonResource("/debug/explain", "get"));
    }

    @Test
    void clientCertificate_authenticatesItsCommonNameAndOrganizations_andHeadersAreIgnored() {
        Issued alice = clientCa.issueClient("CN=alice,O=team-a,O=team-b");

        HttpResponse<String> response = get(proxyClient(alice), READ, "X-Remote-User", "mallory");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(kubernetes.reviews()).extracting(Review::user)
                .containsExactly(UserInfo.of("alice", List.of("team-a", "team-b")));
    }

    @Test
    void bearerToken_accepted_readsAsItsUser() {
        HttpResponse<String> response = get(anonymous(HttpClient.Version.HTTP_2), READ,
                "Authorization", "Bearer " + FakeKubernetes.GOOD_TOKEN);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(kubernetes.reviews()).extracting(Review::user).containsExactly(FakeKubernetes.TOKEN_USER);
    }

    @Test
    void bearerToken_rejected_is401() {
        HttpResponse<String> response = get(anonymous(HttpClient.Version.HTTP_2), READ,
                "Authorization", "Bearer stolen-token", "X-Remote-User", "alice");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(kubernetes.reviews()).isEmpty();
    }

    @Test
    void reviewUnavailable_is503_neverAnAllow() {
        kubernetes.unreachable(true);

        HttpResponse<String> proxied = get(proxyClient(proxy), READ, "X-Remote-User", "alice");
        HttpResponse<String> token = get(anonymous(HttpClient.Version.HTTP_2), READ,
                "Authorization", "Bearer " + FakeKubernetes.GOOD_TOKEN);

        for (HttpResponse<String> response : List.of(proxied, token)) {
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(json(response).get("reason").asText()).isEqualTo("ServiceUnavailable");
            assertThat(json(response).get("message").asText()).endsWith("Review: connection refused); try again later");
            assertThat(response.body()).doesNotContain("Exception", "at io.");
        }
    }

    @Test
    void alwaysAllowPaths_needNoCredentials() {
        for (String path : List.of("/healthz", "/livez", "/readyz", "/readyz/providers")) {
            HttpResponse<String> response = get(anonymous(HttpClient.Version.HTTP_1_1), path);

            assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        }
        assertThat(kubernetes.reviews()).isEmpty();
    }

    @Test
    void alwaysAllowPaths_cannotBeBorrowedByDotSegments() {
        // each either is refused, or reaches the health check its path names: never the document
        for (String target : List.of("/healthz/../debug/inventory", "/livez/%2e%2e/apis", "/readyz/..%2Fapis",
                "/healthz/../apis")) {
            HttpResponse<String> response = get(anonymous(HttpClient.Version.HTTP_1_1), target);

            assertThat(response.body()).as(target).doesNotContain("providers", "groupVersion", "\"groups\"");
            assertThat(response.statusCode()).as(target + ": " + response.body()).isIn(401, 404);
        }
    }

    @Test
    void alwaysAllowGroups_skipTheReview() {
        HttpResponse<String> response = get(proxyClient(proxy), READ, "X-Remote-User", "root",
                "X-Remote-Group", "system:masters");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(kubernetes.reviews()).isEmpty();
    }

    private HttpClient anonymous(HttpClient.Version version) {
        return Https.client(adapter.certificatePem(), version);
    }

    private HttpClient proxyClient(Issued identity) {
        return proxyClient(identity, HttpClient.Version.HTTP_2);
    }

    /** A fresh client (so a new connection, a new handshake) presenting {@code identity}. */
    private HttpClient proxyClient(Issued identity, HttpClient.Version version) {
        SSLContext context = Https.presenting(adapter.certificatePem(), identity);
        return Https.client(context, version);
    }

    private HttpResponse<String> get(HttpClient client, String path, String... headers) {
        try (client) { // a new client per request, so a new connection and handshake: closed after it
            return Https.get(client, adapter.url(path), headers);
        }
    }
}
