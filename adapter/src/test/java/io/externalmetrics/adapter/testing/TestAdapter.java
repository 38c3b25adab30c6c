package io.externalmetrics.adapter.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.externalmetrics.adapter.Adapter;
import io.externalmetrics.adapter.KubernetesServices;
import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.config.AdapterConfig;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.provider.ProviderManager;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real adapter on a free HTTPS port of 127.0.0.1, read as Kubernetes reads it: the set-up every
 * integration test shares. Its clients (one per HTTP version, made on first use) trust exactly the
 * adapter's certificate; reads default to HTTP/2 and to the namespace {@code default}.
 */
public final class TestAdapter implements AutoCloseable {

    /** The values path up to a namespace: {@code VALUES + "default/" + metric}. */
    public static final String VALUES = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String NAMESPACE = "default";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Adapter adapter;
    private final String certificatePem;
    private final Map<HttpClient.Version, HttpClient> clients = new ConcurrentHashMap<>();

    private TestAdapter(Adapter adapter, String certificatePem) {
        this.adapter = adapter;
        this.certificatePem = certificatePem;
    }

    /** Starts the adapter on 127.0.0.1 port 0 with {@code providersYaml} (list items) under {@code providers:}. */
    public static TestAdapter withProviders(String providersYaml) {
        return withProviders(Clock.systemUTC(), providersYaml);
    }

    /** {@link #withProviders(String)} on {@code clock}. */
    public static TestAdapter withProviders(Clock clock, String providersYaml) {
        return start(ConfigLoader.parse("server: {address: 127.0.0.1, port: 0}\nproviders:\n" + providersYaml), clock);
    }

    /** Starts the adapter from a full configuration, trusting its self-signed certificate. */
    public static TestAdapter start(AdapterConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** {@link #start(AdapterConfig)} on {@code clock}. */
    public static TestAdapter start(AdapterConfig config, Clock clock) {
        return start(config, clock, KubernetesServices.NONE);
    }

    /** {@link #start(AdapterConfig)} with {@code kubernetes} (fakes) for what needs the kube-apiserver. */
    public static TestAdapter start(AdapterConfig config, KubernetesServices kubernetes) {
        return start(config, Clock.systemUTC(), kubernetes);
    }

    /**
     * {@link #start(AdapterConfig)} as {@code Main} starts it: what needs the kube-apiserver reaches it through
     * {@code kubernetes.kubeconfig} (point it at a {@link FakeKubeApiServer}).
     */
    public static TestAdapter startReachingKubernetes(AdapterConfig config) {
        return trusting(Adapter.start(config, Clock.systemUTC()));
    }

    private static TestAdapter start(AdapterConfig config, Clock clock, KubernetesServices kubernetes) {
        return trusting(Adapter.start(config, clock, kubernetes));
    }

    private static TestAdapter trusting(Adapter adapter) {
        Optional<String> selfSigned = adapter.selfSignedCertificatePem();
        if (selfSigned.isEmpty()) {
            adapter.close();
            throw new IllegalArgumentException("the adapter serves certificate files: pass the certificate to trust");
        }
        return new TestAdapter(adapter, selfSigned.get());
    }

    /** Starts the adapter from a full configuration naming certificate files; clients trust {@code certificatePem}. */
    public static TestAdapter start(AdapterConfig config, String certificatePem) {
        return new TestAdapter(Adapter.start(config, Clock.systemUTC()), certificatePem);
    }

    /** {@link #start(AdapterConfig, String)} with {@code kubernetes} (fakes) for what needs the kube-apiserver. */
    public static TestAdapter start(AdapterConfig config, String certificatePem, KubernetesServices kubernetes) {
        return new TestAdapter(Adapter.start(config, Clock.systemUTC(), kubernetes), certificatePem);
    }

    public int port() {
        return adapter.port();
    }

    public Optional<String> selfSignedCertificatePem() {
        return adapter.selfSignedCertificatePem();
    }

    public MetricCache cache() {
        return adapter.cache();
    }

    public ProviderManager providers() {
        return adapter.providers();
    }

    public void reload(AdapterConfig next) {
        adapter.reload(next);
    }

    public void watchConfig(Path file, Duration period) {
        adapter.watchConfig(file, period);
    }

    public boolean checkServingCertificate() {
        return adapter.checkServingCertificate();
    }

    public boolean checkCertificateAuthorities() {
        return adapter.checkCertificateAuthorities();
    }

    /** The serving certificate clients trust, in PEM. */
    public String certificatePem() {
        return certificatePem;
    }

    /** The URL of {@code pathAndQuery} on the adapter, by the name its certificate carries. */
    public String url(String pathAndQuery) {
        return "https://localhost:" + port() + pathAndQuery;
    }

    /** This adapter's client for {@code version}, shared by every read of this fixture; closed with it. */
    public HttpClient client(HttpClient.Version version) {
        return clients.computeIfAbsent(version, v -> Https.client(certificatePem, v));
    }

    /** A GET over HTTP/2, with the Accept header the HPA controller sends. */
    public HttpResponse<String> get(String pathAndQuery) {
        return get(HttpClient.Version.HTTP_2, pathAndQuery);
    }

    public HttpResponse<String> get(HttpClient.Version version, String pathAndQuery) {
        return Https.get(client(version), url(pathAndQuery));
    }

    /** Reads {@code metricAndQuery} (such as {@code "m?labelSelector=k%3Dv"}) in the namespace {@code default}. */
    public HttpResponse<String> read(String metricAndQuery) {
        return read(NAMESPACE, metricAndQuery);
    }

    public HttpResponse<String> read(String namespace, String metricAndQuery) {
        return get(VALUES + namespace + "/" + metricAndQuery);
    }

    /** What a read in {@code default} serves: the values joined by commas, or the Status code and message. */
    public String served(String metricAndQuery) {
        return served(NAMESPACE, metricAndQuery);
    }

    public String served(String namespace, String metricAndQuery) {
        HttpResponse<String> response = read(namespace, metricAndQuery);
        JsonNode body = json(response);
        if (response.statusCode() != 200) {
            return response.statusCode() + " " + body.get("message").asText();
        }
        return String.join(",", values(body));
    }

    /** The body of a JSON response (its content type checked), parsed. */
    public static JsonNode json(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("content-type")).as(response.body()).contains("application/json");
        return json(response.body());
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** {@code response}, once its status is 200 (else fails showing the body). */
    public static HttpResponse<String> ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response;
    }

    /** The items of a value list that was served (status 200). */
    public static JsonNode items(HttpResponse<String> response) {
        return json(ok(response)).get("items");
    }

    /** The values of a value list's items, in order. */
    public static List<String> values(JsonNode list) {
        return list.get("items").valueStream().map(item -> item.get("value").asText()).toList();
    }

    /** Stops the clients, then the adapter. */
    @Override
    public void close() {
        clients.values().forEach(HttpClient::shutdownNow);
        adapter.close();
    }
}
