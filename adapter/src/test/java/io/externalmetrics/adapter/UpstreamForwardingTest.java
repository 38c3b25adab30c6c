package io.externalmetrics.adapter;

import static io.externalmetrics.adapter.testing.TestAdapter.VALUES;
import static io.externalmetrics.adapter.testing.TestAdapter.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.Closer;
import io.externalmetrics.adapter.testing.FakeKubernetes;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.Kubectl;
import io.externalmetrics.adapter.testing.PromText;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.Series;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another external-metrics server behind the adapter ({@code protocol: externalMetricsApi}): a second
 * adapter, with its own provider, serving HTTPS with a certificate of its own CA and requiring a bearer
 * token (TokenReview), is the upstream; reads of forwarded names through the first adapter, over HTTPS
 * and by kubectl, get what the upstream computes for their (namespace, metric, selector).
 */
class UpstreamForwardingTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path dir;
    private final TestPki.Issued ca = TestPki.ca("upstream-ca");
    private final TestPki.Issued serving = ca.issue("upstream", "127.0.0.1");
    private FakeProvider upstreamProvider;
    private FakeProvider nativeProvider;
    private TestAdapter upstream;
    private Path token;

    @BeforeEach
    void startUpstream() throws Exception {
        upstreamProvider = closer.register(FakeProvider.start(0))
                .metric("s0-queue", request -> FetchResponse.newBuilder()
                        .addSeries(Series.newBuilder().putLabels("queue", "orders").setValue(3))
                        .addSeries(Series.newBuilder().putLabels("queue", "billing").setValue(1.5)).build())
                .value("s0-local", 99);
        nativeProvider = closer.register(FakeProvider.start(0)).value("s0-local", 7);
        token = Files.writeString(dir.resolve("token"), FakeKubernetes.GOOD_TOKEN + "\n");
        upstream = startUpstream(0);
    }

    /** The upstream adapter on {@code port}: its own CA's certificate, tokens checked by a fake TokenReview. */
    private TestAdapter startUpstream(int port) {
        return startUpstream(port, Set.of(FakeKubernetes.TOKEN_USER.name()));
    }

    /** The upstream adapter, letting only {@code allowedUsers} read (SubjectAccessReview). */
    private TestAdapter startUpstream(int port, Set<String> allowedUsers) {
        return startUpstream(port, allowedUsers, "{tokenReview: true}");
    }

    private TestAdapter startUpstream(int port, Set<String> allowedUsers, String authentication) {
        Path cert = serving.writeCertificate(dir.resolve("upstream.crt"));
        Path key = serving.writeKey(dir.resolve("upstream.key"));
        return closer.register(TestAdapter.start(ConfigLoader.parse("""
                server: {address: 127.0.0.1, port: %d, tls: {certFile: %s, keyFile: %s}}
                providers:
                  - name: queues
                    target: 127.0.0.1:%d
                    metrics: [{name: s0-queue, interval: 100ms}, {name: s0-local, interval: 100ms}]
                authentication: %s
                """.formatted(port, cert, key, upstreamProvider.port(), authentication)),
                TestPki.pem(serving.certificate()), new FakeKubernetes(allowedUsers)));
    }

    /** The adapter under test: a native provider and the upstream, forwarding {@code s0-*}. */
    private TestAdapter startAdapter(String idleAfter, int maxTuples) {
        Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        return startAdapter(idleAfter, maxTuples, "tls: {caFile: " + caFile + "}");
    }

    private TestAdapter startAdapter(String idleAfter, int maxTuples, String trust) {
        return closer.register(TestAdapter.withProviders("""
                  - name: native
                    target: 127.0.0.1:%d
                    metrics: [{name: s0-local, interval: 100ms}]
                  - name: upstream
                    protocol: externalMetricsApi
                    target: https://127.0.0.1:%d
                    deadline: 2s
                    %s
                    tokenFile: %s
                    forward: ["s0-*"]
                    interval: 100ms
                    idleAfter: %s
                    maxTuples: %d
                """.formatted(nativeProvider.port(), upstream.port(), trust, token, idleAfter, maxTuples)));
    }

    private static String message(HttpResponse<String> response) {
        return json(response).get("message").asText();
    }

    @Test
    void forwardedName_readThroughTheAdapter_servesTheUpstreamsAnswerForItsSelector() throws Exception {
        TestAdapter adapter = startAdapter("1m", 100);
        Await.until("the upstream to serve its metric", WAIT, () -> adapter.read("s0-queue").statusCode() == 200);

        HttpResponse<String> all = adapter.read("s0-queue");
        HttpResponse<String> orders = adapter.read("s0-queue?labelSelector=queue%3Dorders");

        assertThat(TestAdapter.items(all)).extracting(item -> item.get("value").asText())
                .containsExactlyInAnyOrder("3", "1500m");
        JsonNode selected = TestAdapter.items(orders);
        assertThat(selected).hasSize(1);
        assertThat(selected.get(0).get("metricName").asText()).isEqualTo("s0-queue");
        assertThat(selected.get(0).get("metricLabels").get("queue").asText()).isEqualTo("orders");
        assertThat(selected.get(0).get("value").asText()).isEqualTo("3");
        assertThat(selected.get(0).get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        // a native metric of a forwarded glob's name is the native provider's
        assertThat(adapter.served("s0-local")).isEqualTo("7");
        assertThat(kubectl(adapter.port(), VALUES + "default/s0-queue?labelSelector=queue%3Dbilling")
                .at("/items/0/value").asText()).isEqualTo("1500m");
        Await.until("the inventory to count the tuples", WAIT,
                () -> adapter.get("/debug/inventory").body().contains("forwards s0-*; follows 3 tuples"));
        String explained = adapter.get("/debug/explain?namespace=default&metric=s0-queue&labelSelector=queue%3D"
                + "orders&format=text").body();
        assertThat(explained).contains("forwarded: no native metric of that name, provider \"upstream\" forwards "
                + "it to https://127.0.0.1:" + upstream.port(), "\"value\":\"3\"");
    }

    @Test
    void forwardedReads_areInTheAdaptersOwnMetrics_asANativeMetrics() {
        TestAdapter adapter = startAdapter("1m", 100);
        Await.until("the upstream to serve its metric", WAIT, () -> adapter.read("s0-queue").statusCode() == 200);

        Map<String, String> queue = Map.of("provider", "upstream", "namespace", "default", "metric", "s0-queue");
        PromText metrics = PromText.parse(TestAdapter.ok(adapter.get("/metrics")).body());

        assertThat(metrics.get("externalmetrics_metric_fetches_total", with(queue, "result", "ok")))
                .isGreaterThanOrEqualTo(1.0);
        assertThat(metrics.get("externalmetrics_metric_max_age_seconds", queue)).isPositive();
        assertThat(metrics.value("externalmetrics_metric_age_seconds", queue)).isPresent();
        assertThat(metrics.value("externalmetrics_provider_fetches_in_flight", Map.of("provider", "upstream")))
                .isPresent();
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> more = new HashMap<>(labels);
        more.put(key, value);
        return more;
    }

    @Test
    void upstreamCertificate_isCheckedAgainstTheJvmsTrust_unlessInsecureSkipTlsVerify() {
        TestAdapter checking = startAdapter("1m", 100, "tls: {}");
        TestAdapter skipping = startAdapter("1m", 100, "insecureSkipTLSVerify: true");

        HttpResponse<String> untrusted = checking.read("s0-queue");

        assertThat(untrusted.statusCode()).as(untrusted.body()).isEqualTo(503);
        assertThat(message(untrusted)).contains("provider \"upstream\" failing since", "TLS");
        Await.until("the upstream to be read without checking its certificate", WAIT,
                () -> skipping.read("s0-queue").statusCode() == 200);
    }

    @Test
    void clientCertificate_authenticatesTheAdapterToTheUpstream() {
        TestPki.Issued clientCa = TestPki.ca("client-ca");
        TestPki.Issued client = clientCa.issueClient("CN=" + FakeKubernetes.TOKEN_USER.name());
        upstream.close();
        upstream = startUpstream(0, Set.of(FakeKubernetes.TOKEN_USER.name()),
                "{clientCAFile: " + clientCa.writeCertificate(dir.resolve("client-ca.crt")) + "}");
        Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        TestAdapter adapter = startAdapter("1m", 100, "tls: {caFile: %s, certFile: %s, keyFile: %s}".formatted(caFile,
                client.writeCertificate(dir.resolve("client.crt")), client.writeKey(dir.resolve("client.key"))));

        Await.until("the upstream to serve its metric to the adapter's certificate", WAIT,
                () -> adapter.read("s0-queue").statusCode() == 200);
    }

    @Test
    void tokenFile_isSentAndReadAgainWhenItChanges() throws Exception {
        TestAdapter adapter = startAdapter("1m", 100);
        Await.until("the upstream to serve its metric", WAIT, () -> adapter.read("s0-queue").statusCode() == 200);
        Files.writeString(token, "stolen-token");

        HttpResponse<String> refused = adapter.read("s0-queue?labelSelector=queue%3Dorders");

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(message(refused)).contains("provider \"upstream\" failing since", "upstream answered 401");

        Files.writeString(token, FakeKubernetes.GOOD_TOKEN);
        Await.until("the new token to be used", WAIT,
                () -> adapter.read("s0-queue?labelSelector=queue%3Dorders").statusCode() == 200);
    }

    @Test
    void upstreamDown_isA503NamingTheProvider_thenServedAgainOnceItIsBack() {
        TestAdapter adapter = startAdapter("1m", 100);
        Await.until("the upstream to serve its metric", WAIT, () -> adapter.read("s0-queue").statusCode() == 200);
        int port = upstream.port();

        upstream.close();

        Await.until("the forwarded value to go stale", WAIT, () -> adapter.read("s0-queue").statusCode() == 503);
        HttpResponse<String> down = adapter.read("s0-queue");
        assertThat(json(down).get("reason").asText()).isEqualTo("ServiceUnavailable");
        assertThat(message(down)).startsWith("metric \"s0-queue\" in namespace \"default\": provider \"upstream\" "
                + "failing since ").contains("unreachable", "last value fetched");

        upstream = startUpstream(port);
        Await.until("the forwarded value to be served again", WAIT,
                () -> adapter.read("s0-queue").statusCode() == 200);
    }

    @Test
    void upstreamDown_withOnErrorStatic_servesTheStaticValue() {
        Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        TestAdapter adapter = startAdapter("1m", 100, "tls: {caFile: " + caFile + "}\n    onError: static\n"
                + "    staticValue: \"250m\"");
        Await.until("the upstream to serve its metric", WAIT,
                () -> adapter.served("s0-queue?labelSelector=queue%3Dorders").equals("3"));

        upstream.close();

        Await.until("the static value to be served", WAIT,
                () -> adapter.served("s0-queue?labelSelector=queue%3Dorders").equals("250m"));
    }

    @Test
    void upstreamNotFound_isPassedOnWithItsMessagePrefixedByTheProvider() {
        TestAdapter adapter = startAdapter("1m", 100);

        HttpResponse<String> missing = adapter.read("s0-missing");

        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);
        assertThat(json(missing).get("reason").asText()).isEqualTo("NotFound");
        assertThat(message(missing)).startsWith("metric \"s0-missing\" in namespace \"default\": provider "
                + "\"upstream\": upstream answered 404: metric \"s0-missing\" in namespace \"default\": "
                + "no such metric");
        // a name no provider forwards is the adapter's own 404
        assertThat(message(adapter.read("other"))).doesNotContain("upstream");
    }

    @Test
    void upstreamForbiddingTheAdapter_isA503FailureWithItsMessage_notTheReadersForbidden() {
        upstream.close();
        upstream = startUpstream(0, Set.of());
        TestAdapter adapter = startAdapter("1m", 100);

        HttpResponse<String> forbidden = adapter.read("s0-queue");

        // the adapter's identity is refused, not the HPA's: a failure, which onError answers
        assertThat(forbidden.statusCode()).as(forbidden.body()).isEqualTo(503);
        assertThat(json(forbidden).get("reason").asText()).isEqualTo("ServiceUnavailable");
        assertThat(message(forbidden)).startsWith("metric \"s0-queue\" in namespace \"default\": provider "
                + "\"upstream\" failing since ").contains("upstream answered 403: ")
                .contains("cannot list resource \"s0-queue\"").contains("grant it get on external.metrics.k8s.io");
    }

    @Test
    void tupleNotRead_isDroppedAfterIdleAfter() {
        TestAdapter adapter = startAdapter("2s", 100);
        Await.until("the upstream to serve its metric", WAIT,
                () -> adapter.read("s0-queue?labelSelector=queue%3Dorders").statusCode() == 200);
        Await.until("the inventory to show the tuple", WAIT,
                () -> upstreamState(adapter).contains("follows 1 tuple "));

        Await.until("the unread tuple to be dropped", WAIT,
                () -> upstreamState(adapter).contains("follows 0 tuples"));
        assertThat(adapter.read("s0-queue?labelSelector=queue%3Dorders").statusCode()).isEqualTo(200);
    }

    @Test
    void newTupleBeyondMaxTuples_isRefusedWithoutEvictingOthers() {
        TestAdapter adapter = startAdapter("1m", 2);
        Await.until("the upstream to serve its metric", WAIT,
                () -> adapter.read("s0-queue?labelSelector=queue%3Dorders").statusCode() == 200);
        assertThat(adapter.read("s0-queue?labelSelector=queue%3Dbilling").statusCode()).isEqualTo(200);

        HttpResponse<String> third = adapter.read("s0-queue");

        assertThat(third.statusCode()).as(third.body()).isEqualTo(503);
        assertThat(message(third)).contains("provider \"upstream\" already follows 2", "maxTuples");
        assertThat(adapter.read("s0-queue?labelSelector=queue%3Dorders").statusCode()).isEqualTo(200);
    }

    @Test
    void reload_withoutTheUpstream_stopsForwarding() {
        TestAdapter adapter = startAdapter("1m", 100);
        Await.until("the upstream to serve its metric", WAIT, () -> adapter.read("s0-queue").statusCode() == 200);

        adapter.reload(ConfigLoader.parse("""
                server: {address: 127.0.0.1, port: 0}
                providers: [{name: native, target: "127.0.0.1:%d", metrics: [{name: s0-local, interval: 100ms}]}]
                """.formatted(nativeProvider.port())));

        assertThat(adapter.served("s0-queue")).isEqualTo("404 metric \"s0-queue\" in namespace \"default\": no "
                + "such metric is served by any provider");
        assertThat(upstreamState(adapter)).isEmpty();
        assertThat(adapter.served("s0-local")).isEqualTo("7");
    }

    private static String upstreamState(TestAdapter adapter) {
        return adapter.cache().providers().stream().filter(p -> p.name().equals("upstream"))
                .map(ProviderState::describe).findFirst().orElse("");
    }

    /** {@code kubectl get --raw path} against the adapter on {@code port}, its output as JSON. */
    private JsonNode kubectl(int port, String path) throws Exception {
        return new Kubectl(dir, port).getRaw(path);
    }
}
