package io.externalmetrics.adapter;

import static io.externalmetrics.adapter.testing.TestAdapter.VALUES;
import static io.externalmetrics.adapter.testing.TestAdapter.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.auth.Attributes;
import io.externalmetrics.adapter.auth.UserInfo;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeKubeApiServer;
import io.externalmetrics.adapter.testing.FakeKubeApiServer.AccessReview;
import io.externalmetrics.adapter.testing.Https;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.adapter.testing.TestPki.Issued;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter as it runs in a cluster, against a fake kube-apiserver over HTTPS: the front proxy's CA and
 * names come from the {@code extension-apiserver-authentication} ConfigMap, tokens are checked with
 * TokenReview and every request is authorized with SubjectAccessReview, all through the real fabric8
 * client and the kubeconfig.
 */
class KubeApiserverSecurityTest {

    private static final String METRIC = "queue-depth";
    private static final String READ = VALUES + "default/" + METRIC;
    private static final Attributes.Resource LIST_QUEUE_DEPTH =
            new Attributes.Resource("list", "external.metrics.k8s.io", "v1beta1", METRIC, "default");

    @TempDir
    Path dir;
    private final Issued proxyCa = TestPki.ca("front-proxy-ca");
    private final Issued proxy = proxyCa.issueClient("CN=front-proxy-client", KeyPurposeId.id_kp_clientAuth);
    private FakeKubeApiServer kubeApiserver;
    private MetricProviderServer provider;
    private ApiserverServices services;
    private TestAdapter adapter;

    @BeforeEach
    void start() {
        kubeApiserver = FakeKubeApiServer.start(dir);
        provider = MetricProviderServer.builder()
                .port(0)
                .addMetric(Namespace.ALL, METRIC, Trigger.every(Duration.ofSeconds(10)), request -> Value.of(5))
                .build()
                .start();
    }

    private void startAdapter() {
        // the ConfigMap is polled every 100ms here (30s in production), so rotations show at once
        services = new ApiserverServices(Duration.ofMillis(100), Duration.ofMillis(100));
        adapter = TestAdapter.start(ConfigLoader.parse("""
                server: {address: 127.0.0.1, port: 0}
                providers: [{name: example, target: "127.0.0.1:%d", deadline: 5s}]
                authentication:
                  requestHeader: {fromCluster: true}
                  tokenReview: true
                  cacheTTL: 1h
                authorization:
                  mode: SubjectAccessReview
                  allowedTTL: 1h
                  deniedTTL: 1h
                kubernetes:
                  kubeconfig: %s
                """.formatted(provider.port(), kubeApiserver.kubeconfig())), services);
    }

    @AfterEach
    void stop() {
        if (adapter != null) {
            adapter.close();
        }
        provider.close();
        kubeApiserver.close();
    }

    private void publishFrontProxy(Issued ca, String allowedNames) {
        publishFrontProxy(ca, allowedNames, Map.of());
    }

    private void publishFrontProxy(Issued ca, String allowedNames, Map<String, String> more) {
        var data = new HashMap<>(more);
        data.putAll(Map.of(
                "requestheader-client-ca-file", TestPki.pem(ca.certificate()),
                "requestheader-allowed-names", allowedNames,
                "requestheader-username-headers", "[\"X-Remote-User\"]",
                "requestheader-group-headers", "[\"X-Remote-Group\"]",
                "requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]"));
        kubeApiserver.configMap(data);
    }

    @Test
    void clientCertificates_fromTheClusterClientCaInTheConfigMap_areAuthenticated() {
        Issued clusterClientCa = TestPki.ca("kubernetes-client-ca");
        publishFrontProxy(proxyCa, "[\"front-proxy-client\"]",
                Map.of("client-ca-file", TestPki.pem(clusterClientCa.certificate())));
        kubeApiserver.allow("carol", new Attributes.NonResource("/apis", "get"));
        startAdapter();
        awaitReady();

        Issued carol = clusterClientCa.issueClient("CN=carol,O=operators", KeyPurposeId.id_kp_clientAuth);
        assertThat(get(proxyClient(carol), "/apis").statusCode()).isEqualTo(200);
        assertThat(kubeApiserver.accessReviews()).contains(new AccessReview(
                new UserInfo("carol", "", List.of("operators"), Map.of()), new Attributes.NonResource("/apis", "get")));
        // a certificate of the cluster's client CA is no front proxy: its identity headers are ignored
        assertThat(get(proxyClient(carol), "/apis", "X-Remote-User", "alice").statusCode()).isEqualTo(200);
        assertThat(kubeApiserver.accessReviews()).noneMatch(review -> review.user().name().equals("alice"));
    }

    @Test
    void frontProxy_fromTheConfigMap_isAuthenticated_andTheCallerAuthorizedBySubjectAccessReview() {
        publishFrontProxy(proxyCa, "[\"front-proxy-client\"]");
        kubeApiserver.allow("alice", LIST_QUEUE_DEPTH);
        startAdapter();
        awaitReady();

        Await.until("the value", Duration.ofSeconds(30), () -> get(proxyClient(proxy), READ, "X-Remote-User", "alice",
                "X-Remote-Group", "team-a", "X-Remote-Extra-Scopes", "metrics").statusCode() == 200);
        HttpResponse<String> read = get(proxyClient(proxy), READ, "X-Remote-User", "alice",
                "X-Remote-Group", "team-a", "X-Remote-Extra-Scopes", "metrics");

        assertThat(json(read).get("items").get(0).get("value").asText()).isEqualTo("5");
        assertThat(kubeApiserver.accessReviews()).contains(new AccessReview(
                new UserInfo("alice", "", List.of("team-a"), Map.of("scopes", List.of("metrics"))),
                LIST_QUEUE_DEPTH));
        assertThat(kubeApiserver.requests(FakeKubeApiServer.SUBJECT_ACCESS_REVIEWS))
                .allSatisfy(r -> assertThat(r.authorization())
                        .hasValue("Bearer " + FakeKubeApiServer.KUBECONFIG_TOKEN));

        HttpResponse<String> denied = get(proxyClient(proxy), READ, "X-Remote-User", "mallory");
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(json(denied).get("reason").asText()).isEqualTo("Forbidden");
        assertThat(json(denied).get("message").asText())
                .contains("User \"mallory\" cannot list resource \"queue-depth\" in API group "
                        + "\"external.metrics.k8s.io\" in the namespace \"default\"");
    }

    @Test
    void beforeTheConfigMapIsRead_notReady_andTheProxyIsRefused_thenBoth() {
        kubeApiserver.allow("alice", new Attributes.NonResource("/apis", "get"));
        startAdapter(); // no ConfigMap yet: the fake kube-apiserver answers 404

        HttpResponse<String> readyz = get(anonymous(), "/readyz?verbose");
        assertThat(readyz.statusCode()).isEqualTo(500);
        assertThat(readyz.body()).contains("[-]authentication failed: the front proxy's settings have not been "
                + "read yet from ConfigMap kube-system/extension-apiserver-authentication");
        assertThat(get(proxyClient(proxy), "/apis", "X-Remote-User", "alice").statusCode()).isEqualTo(401);

        publishFrontProxy(proxyCa, "[]");

        Await.until("the front proxy to be accepted", Duration.ofSeconds(30),
                () -> get(proxyClient(proxy), "/apis", "X-Remote-User", "alice").statusCode() == 200);
        assertThat(get(anonymous(), "/readyz?verbose").body()).contains("[+]authentication ok");
    }

    @Test
    void frontProxyCa_rotatedInTheConfigMap_isUsedForNewProxyCertificates() {
        publishFrontProxy(proxyCa, "[\"front-proxy-client\"]");
        kubeApiserver.allow("alice", new Attributes.NonResource("/apis", "get"));
        startAdapter();
        awaitReady();
        assertThat(get(proxyClient(proxy), "/apis", "X-Remote-User", "alice").statusCode()).isEqualTo(200);

        Issued nextCa = TestPki.ca("front-proxy-ca-2");
        Issued nextProxy = nextCa.issueClient("CN=front-proxy-client", KeyPurposeId.id_kp_clientAuth);
        publishFrontProxy(nextCa, "[\"front-proxy-client\"]");

        Await.until("the new CA to be in force", Duration.ofSeconds(30),
                () -> get(proxyClient(nextProxy), "/apis", "X-Remote-User", "alice").statusCode() == 200);
        assertThat(get(proxyClient(proxy), "/apis", "X-Remote-User", "alice").statusCode()).isEqualTo(401);
    }

    @Test
    void bearerTokens_areCheckedWithTokenReview() {
        publishFrontProxy(proxyCa, "[]");
        kubeApiserver.token("good-token", new UserInfo("bob", "uid-7", List.of("readers"), Map.of()));
        kubeApiserver.allow("bob", new Attributes.NonResource("/apis", "get"));
        startAdapter();

        assertThat(get(anonymous(), "/apis", "Authorization", "Bearer good-token").statusCode()).isEqualTo(200);
        assertThat(kubeApiserver.accessReviews()).contains(new AccessReview(
                new UserInfo("bob", "uid-7", List.of("readers"), Map.of()),
                new Attributes.NonResource("/apis", "get")));
        HttpResponse<String> rejected = get(anonymous(), "/apis", "Authorization", "Bearer forged-token");
        assertThat(rejected.statusCode()).isEqualTo(401);
        assertThat(json(rejected).get("reason").asText()).isEqualTo("Unauthorized");
        assertThat(kubeApiserver.requests(FakeKubeApiServer.TOKEN_REVIEWS)).hasSize(2);
    }

    @Test
    void kubeApiserverDown_onACacheMiss_is503_whileCachedDecisionsStillAnswer() {
        publishFrontProxy(proxyCa, "[]");
        kubeApiserver.allow("alice", new Attributes.NonResource("/apis", "get"));
        startAdapter();
        awaitReady();
        assertThat(get(proxyClient(proxy), "/apis", "X-Remote-User", "alice").statusCode()).isEqualTo(200);

        kubeApiserver.failWith(500);

        assertThat(get(proxyClient(proxy), "/apis", "X-Remote-User", "alice").statusCode())
                .as("a decision within its TTL is not reviewed again").isEqualTo(200);
        HttpResponse<String> miss = get(proxyClient(proxy), "/apis", "X-Remote-User", "carol");
        assertThat(miss.statusCode()).isEqualTo(503);
        assertThat(json(miss).get("kind").asText()).isEqualTo("Status");
        assertThat(json(miss).get("message").asText()).contains("SubjectAccessReview").doesNotContain("Exception");

        kubeApiserver.stop(); // now nothing answers at all: connection refused

        HttpResponse<String> refused = get(proxyClient(proxy), "/apis", "X-Remote-User", "dave");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(json(refused).get("reason").asText()).isEqualTo("ServiceUnavailable");
        assertThat(get(proxyClient(proxy), "/apis", "X-Remote-User", "alice").statusCode()).isEqualTo(200);
        assertThat(get(anonymous(), "/healthz").statusCode()).isEqualTo(200);
    }

    private void awaitReady() {
        Await.until("the front proxy's settings to be read", Duration.ofSeconds(30),
                () -> get(anonymous(), "/readyz/authentication").statusCode() == 200);
    }

    private HttpClient anonymous() {
        return Https.client(adapter.certificatePem(), HttpClient.Version.HTTP_2);
    }

    /** A fresh client (a new connection, a new handshake) presenting {@code identity}. */
    private HttpClient proxyClient(Issued identity) {
        return Https.client(Https.presenting(adapter.certificatePem(), identity), HttpClient.Version.HTTP_2);
    }

    private HttpResponse<String> get(HttpClient client, String path, String... headers) {
        try (client) { // a new client per request, so a new connection and handshake: closed after it
            return Https.get(client, adapter.url(path), headers);
        }
    }
}
