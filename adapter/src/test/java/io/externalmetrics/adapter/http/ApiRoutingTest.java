package io.externalmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.cache.ProviderState.Connectivity;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.k8s.LabelSelector;
import io.externalmetrics.adapter.k8s.SelectorParseException;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.adapter.testing.TestClock;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every route the adapter serves, run through Helidon's routing in memory ({@link DirectClient}: no
 * socket, no TLS): the status, headers and bytes a client receives. {@code AdapterIntegrationTest}
 * covers the same surface over real HTTPS with a real provider.
 */
class ApiRoutingTest {

    private static final Instant T0 = Instant.parse("2026-11-24T22:09:18.750Z");
    private static final String VALUES = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String HPA_ACCEPT = "application/vnd.kubernetes.protobuf, */*";
    private static final String PROTOBUF_ONLY = "application/vnd.kubernetes.protobuf";

    private final TestClock clock = new TestClock(T0);
    private final MetricCache cache = new MetricCache(clock);
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private Supplier<Map<MetricKey, Long>> fetches = Map::of;
    private DirectClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    /** What a client received; header names in lower case. */
    private record Answer(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Sends a request as written ({@code pathAndQuery} already encoded), with header name and value pairs. */
    private Answer send(Method method, String pathAndQuery, String... headers) {
        if (client == null) {
            HttpRouting.Builder routing = HttpRouting.builder();
            new ApiRouting(new ApiHandler(cache, ready::get, () -> fetches.get(), clock)).register(routing);
            client = new DirectClient(routing);
        }
        var request = client.method(method).skipUriEncoding(true).path(pathAndQuery);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(HeaderNames.create(headers[i]), headers[i + 1]);
        }
        try (HttpClientResponse response = request.request()) {
            Map<String, String> received = new HashMap<>();
            response.headers().forEach(h -> received.put(h.name().toLowerCase(Locale.ROOT), h.get()));
            // Helidon's client reads a HEAD answer's Content-Length bytes as if they were a body: the
            // bytes after it are only seen over a socket (AdapterIntegrationTest)
            String body = method == Method.HEAD || !response.entity().hasEntity()
                    ? ""
                    : new String(response.entity().as(byte[].class), StandardCharsets.UTF_8);
            return new Answer(response.status().code(), received, body);
        }
    }

    private Answer get(String pathAndQuery, String... headers) {
        return send(Method.GET, pathAndQuery, headers);
    }

    @Test
    void discovery_documents_areTheContractsBytes_withOrWithoutTrailingSlash() {
        String group = """
                "name":"external.metrics.k8s.io",\
                "versions":[{"groupVersion":"external.metrics.k8s.io/v1beta1","version":"v1beta1"}],\
                "preferredVersion":{"groupVersion":"external.metrics.k8s.io/v1beta1","version":"v1beta1"}""";
        Map<String, String> documents = Map.of(
                "/apis", "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[{" + group + "}]}",
                "/apis/external.metrics.k8s.io", "{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\"," + group + "}",
                "/apis/external.metrics.k8s.io/v1beta1", """
                        {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"external.metrics.k8s.io/v1beta1",\
                        "resources":[{"name":"externalmetrics","singularName":"","namespaced":true,\
                        "kind":"ExternalMetricValueList","verbs":["get"]}]}""");

        documents.forEach((path, body) -> {
            for (String variant : List.of(path, path + "/")) {
                Answer answer = get(variant, "Accept", HPA_ACCEPT);
                assertThat(answer.status()).as(variant).isEqualTo(200);
                assertThat(answer.header("Content-Type")).as(variant).isEqualTo("application/json");
                assertThat(answer.body()).as(variant).isEqualTo(body);
            }
        });
    }

    @Test
    void root_listsThePaths() {
        assertThat(get("/").body()).isEqualTo("""
                {"paths":["/apis","/apis/external.metrics.k8s.io","/apis/external.metrics.k8s.io/v1beta1",\
                "/debug/","/debug/explain","/debug/inventory","/healthz","/livez","/metrics","/openapi/v2",\
                "/openapi/v3","/readyz"]}""");
    }

    @Test
    void openApiV2_carriesAnEtag_andIs304WhenTheClientHoldsIt() {
        Answer first = get("/openapi/v2");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("Content-Type")).isEqualTo("application/json");
        assertThat(first.body()).contains("\"swagger\"");
        String etag = first.header("ETag");
        assertThat(etag).matches("\"[0-9A-F]{128}\"");

        Answer again = get("/openapi/v2", "If-None-Match", etag);
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.header("ETag")).isEqualTo(etag);
        assertThat(again.body()).isEmpty();

        assertThat(get("/openapi/v2/", "If-None-Match", "\"older\"").body()).isEqualTo(first.body());
    }

    @Test
    void openApiV3_indexPointsAtTheGroupVersionDocumentByItsEtag() {
        Answer index = get("/openapi/v3");
        assertThat(index.header("Content-Type")).isEqualTo("application/json");
        String url = index.body().replaceAll(".*\"serverRelativeURL\":\"([^\"]+)\".*", "$1");
        assertThat(url).startsWith("/openapi/v3/apis/external.metrics.k8s.io/v1beta1?hash=");

        Answer document = get(url);
        assertThat(document.status()).isEqualTo(200);
        assertThat(document.body()).contains("\"openapi\":");
        assertThat(document.header("ETag")).isEqualTo("\"" + url.substring(url.indexOf("hash=") + 5) + "\"");
        assertThat(get(url, "If-None-Match", document.header("ETag")).status()).isEqualTo(304);
    }

    @Test
    void health_endpointsAndTheirChecks_sayOkAsText() {
        for (String path : List.of("/healthz", "/livez", "/readyz", "/readyz/", "/healthz/ping", "/livez/ping",
                "/readyz/ping", "/readyz/providers", "/readyz/ping/")) {
            Answer answer = get(path);
            assertThat(answer.status()).as(path).isEqualTo(200);
            assertThat(answer.header("Content-Type")).as(path).isEqualTo("text/plain");
            assertThat(answer.header("Cache-Control")).as(path).isEqualTo("no-cache, private");
            assertThat(answer.body()).as(path).isEqualTo("ok");
        }
    }

    @Test
    void health_verbose_listsTheChecks() {
        assertThat(get("/readyz?verbose").body()).isEqualTo("[+]ping ok\n[+]providers ok\n"
                + "[+]authentication ok\nreadyz check passed\n");
        assertThat(get("/livez?verbose").body()).isEqualTo("[+]ping ok\nlivez check passed\n");
        assertThat(get("/healthz?verbose").body()).isEqualTo("[+]ping ok\nhealthz check passed\n");
    }

    @Test
    void health_unknownCheck_is404Text() {
        Answer answer = get("/livez/providers");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.header("Content-Type")).isEqualTo("text/plain");
        assertThat(answer.body()).isEqualTo("no such check: /livez/providers\n");
    }

    @Test
    void health_providersNotReached_failsReadinessOnly() {
        ready.set(false);

        Answer readyz = get("/readyz");
        assertThat(readyz.status()).isEqualTo(500);
        assertThat(readyz.body()).isEqualTo(
 "[+]ping ok\n[-]providers failed: not every provider has been reached yet\n"
                        + "[+]authentication ok\nreadyz check failed\n");
        Answer check = get("/readyz/providers");
        assertThat(check.status()).isEqualTo(500);
        assertThat(check.body()).isEqualTo("internal server error: not every provider has been reached yet\n");
        assertThat(get("/readyz/ping").body()).isEqualTo("ok");
        assertThat(get("/livez").body()).isEqualTo("ok");
        assertThat(get("/healthz").body()).isEqualTo("ok");
    }

    @Test
    void health_answersAnyMethodAndAccept() {
        assertThat(send(Method.POST, "/healthz").body()).isEqualTo("ok");
        assertThat(get("/livez", "Accept", PROTOBUF_ONLY).body()).isEqualTo("ok");
    }

    @Test
    void otherMethods_are405WithAllow_evenOnUnknownPaths() {
        for (String path : List.of("/apis", VALUES + "default/queue-depth", "/nope")) {
            for (Method method : List.of(Method.POST, Method.DELETE)) {
                Answer answer = send(method, path, "Accept", PROTOBUF_ONLY);
                assertThat(answer.status()).as(method + " " + path).isEqualTo(405);
                assertThat(answer.header("Allow")).as(method + " " + path).isEqualTo("GET, HEAD");
                assertThat(answer.body()).as(method + " " + path).isEqualTo("""
                        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
                        "message":"the server does not allow this method on the requested resource",\
                        "reason":"MethodNotAllowed","code":405}""");
            }
        }
    }

    @Test
    void head_hasTheStatusAndHeadersOfGet() {
        serve("queue-depth");
        String etag = get("/openapi/v2").header("ETag");
        List<List<String>> requests = List.of(
                List.of("/apis"),
                List.of("/openapi/v2"),
                List.of("/openapi/v2", "If-None-Match", etag),
                List.of("/debug/inventory"),
                List.of(VALUES + "default/queue-depth"),
                List.of(VALUES + "default/nope"),
                List.of(VALUES + "Not_A_Namespace/queue-depth"),
                List.of("/apis", "Accept", PROTOBUF_ONLY),
                List.of("/nope"),
                List.of("/livez"),
                List.of("/livez/providers"),
                List.of("/readyz?verbose"));
        for (List<String> request : requests) {
            String path = request.getFirst();
            String[] headers = request.subList(1, request.size()).toArray(String[]::new);
            Answer get = get(path, headers);
            Answer head = send(Method.HEAD, path, headers);

            assertThat(head.status()).as(request.toString()).isEqualTo(get.status());
            for (String name : List.of("Content-Type", "Content-Length", "ETag", "Cache-Control")) {
                assertThat(head.header(name)).as(request + " " + name).isEqualTo(get.header(name));
            }
        }
    }

    @Test
    void protobufOnlyClient_gets406_onEveryJsonPath() {
        for (String path : List.of("/apis", "/openapi/v2", "/debug/inventory", VALUES + "default/queue-depth",
                "/nope")) {
            Answer answer = get(path, "Accept", PROTOBUF_ONLY);
            assertThat(answer.status()).as(path).isEqualTo(406);
            assertThat(answer.body()).as(path).isEqualTo("""
                    {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
                    "message":"only application/json is served; the Accept header asked for \\"%s\\"",\
                    "reason":"NotAcceptable","code":406}""".formatted(PROTOBUF_ONLY));
        }
    }

    @Test
    void unknownPath_is404Status() {
        // values are matched on the raw path: with an escape in its prefix a path is some other path
        String escapedPrefix = "/apis/external.metrics.k8s.io/v1beta1/namespace%73/default/queue-depth";
        for (String path : List.of("/nope", "/apis/other.group", "/apis/external.metrics.k8s.io/v1beta1/namespaces",
                "/healthzz", "/openapi/v3/apis", escapedPrefix)) {
            Answer answer = get(path);
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.header("Content-Type")).as(path).isEqualTo("application/json");
            assertThat(answer.body()).as(path).isEqualTo("""
                    {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
                    "message":"the server could not find the requested resource","reason":"NotFound","code":404}""");
        }
    }

    @Test
    void valuesPath_withoutNamespaceAndName_is404SayingWhereValuesAre() {
        for (String path : List.of(VALUES, VALUES + "default", VALUES + "default/queue-depth/extra", VALUES + "/x")) {
            Answer answer = get(path);
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.body()).as(path).contains("""
                    "message":"the server could not find the requested resource; metric values are at \
                    /apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/{metricName}\"""");
        }
    }

    private void serve(String name) {
        MetricKey key = new MetricKey(MetricKey.ALL_NAMESPACES, name);
        cache.registerProvider("queues", List.of(new MetricInfo(key, "queues",
                new TriggerSpec.Interval(Duration.ofSeconds(1)), Duration.ofSeconds(3), OnErrorPolicy.error())));
        cache.recordSuccess(key, Sample.of(name, OptionalDouble.of(1.5), List.of(
                        new Sample.SeriesValue(Map.of("queue", "orders"), 2000),
                        new Sample.SeriesValue(Map.of("queue", "billing"), -3)),
                T0.minusSeconds(2), false, Optional.empty()));
    }

    @Test
    void read_found_isTheValueList() {
        serve("queue-depth");

        Answer answer = get(VALUES + "default/queue-depth", "Accept", HPA_ACCEPT);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        assertThat(answer.body()).isEqualTo("""
                {"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},\
                "items":[{"metricName":"queue-depth","metricLabels":{},"timestamp":"2026-11-24T22:09:16Z",\
                "value":"1500m"}]}""");
    }

    @Test
    void read_selectorAsClientGoEncodesIt_returnsTheMatchingSeries() {
        serve("queue-depth");

        Answer answer = get(VALUES + "default/queue-depth?labelSelector=queue+in+(orders,shipping)");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).contains("\"metricLabels\":{\"queue\":\"orders\"}", "\"value\":\"2k\"")
                .doesNotContain("billing");
    }

    @Test
    void read_unknownMetric_is404WithDetailsAndUnreachedProviders() {
        cache.updateProvider(new ProviderState("queues", "localhost:50051", true, "ok",
                Connectivity.READY, Instant.EPOCH));
        cache.updateProvider(new ProviderState("late", "localhost:50052", false, "connecting",
                Connectivity.CONNECTING, Instant.EPOCH));

        Answer answer = get(VALUES + "default/nope");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.body()).isEqualTo("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
                "message":"metric \\"nope\\" in namespace \\"default\\": no such metric is served by any provider; \
                not yet reached: provider \\"late\\" (connecting)","reason":"NotFound",\
                "details":{"name":"nope","group":"external.metrics.k8s.io","kind":"nope"},"code":404}""");
    }

    @Test
    void read_encodedSlashInTheName_staysOneSegment() {
        Answer answer = get(VALUES + "default/queue%2Fdepth");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.body()).contains("""
                "message":"metric \\"queue/depth\\" in namespace \\"default\\": no such metric""");
    }

    @Test
    void read_badSelector_is400QuotingIt() {
        Answer answer = get(VALUES + "default/nope?labelSelector=queue%3D%3D%3Dx");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("""
                "message":"metric \\"nope\\" in namespace \\"default\\" with selector \\"queue===x\\": \
                invalid label selector""", "\"reason\":\"BadRequest\",\"code\":400}");
    }

    @Test
    void read_badSelectorAgain_isTheSame400() {
        String path = VALUES + "default/nope?labelSelector=queue%3D%3D%3Dx";
        Answer first = get(path);

        Answer again = get(path);

        assertThat(again.status()).isEqualTo(400);
        assertThat(again.body()).isEqualTo(first.body());
        // the parser's own words, not something the cache made up
        String parserSays = catchThrowableOfType(SelectorParseException.class, () -> LabelSelector.parse("queue===x"))
                .getMessage();
        assertThat(again.body()).contains("invalid label selector: " + parserSays + "\"");
    }

    @Test
    void read_badNamespace_is400() {
        Answer answer = get(VALUES + "Not_A_Namespace/queue-depth");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).isEqualTo("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
                "message":"metric \\"queue-depth\\" in namespace \\"Not_A_Namespace\\": \
                the namespace is not a valid namespace name","reason":"BadRequest","code":400}""");
    }

    @Test
    void read_valueOlderThanMaxAge_is503NamingTheProvider() {
        serve("queue-depth");
        clock.advance(Duration.ofSeconds(4));

        Answer answer = get(VALUES + "default/queue-depth");

        assertThat(answer.status()).isEqualTo(503);
        // the cache words the rest of the message (MetricCacheTest)
        assertThat(answer.body()).startsWith("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
                "message":"metric \\"queue-depth\\" in namespace \\"default\\": provider \\"queues\\" \
                has not delivered a fresh value""").endsWith("\"reason\":\"ServiceUnavailable\",\"code\":503}");
    }

    @Test
    void inventory_listsProvidersAndMetrics() {
        cache.updateProvider(new ProviderState("queues", "localhost:50051", true, "ok",
                Connectivity.READY, Instant.EPOCH));
        serve("queue-depth");

        Answer answer = get("/debug/inventory/");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        assertThat(answer.body()).contains("\"name\" : \"queues\"", "\"name\" : \"queue-depth\"");
    }

    @Test
    void failingHandler_onEveryRequest_logsItsStackTraceOnce_notPerRequest() {
        fetches = () -> {
            throw new IllegalStateException("a bug");
        };

        try (LogRecords log = LogRecords.of(ApiRouting.class.getName())) {
            for (int i = 0; i < 20; i++) {
                assertThat(get("/debug/inventory").status()).isEqualTo(500);
            }

            assertThat(log.atLeast(java.util.logging.Level.SEVERE)).singleElement().asString()
                    .isEqualTo("request /debug/inventory failed [java.lang.IllegalStateException: a bug]");
        }
    }

    @Test
    void failingHandler_is500InternalErrorStatusWithoutTheException() {
        fetches = () -> {
            throw new IllegalStateException("broken /etc/secret/file"); // as a bug in any handler would
        };

        Answer answer;
        List<String> logged;
        try (LogRecords log = LogRecords.of(ApiRouting.class.getName())) {
            answer = get("/debug/inventory");
            logged = log.atLeast(java.util.logging.Level.SEVERE);
        }

        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        assertThat(answer.body()).isEqualTo("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
                "message":"internal error; the adapter's log has the details","reason":"InternalError",\
                "code":500}""");
        assertThat(answer.body()).doesNotContain("broken", "/etc", "IllegalStateException");
        // what the body leaves out, the operator reads in the log
        assertThat(logged).singleElement().asString()
                .contains("/debug/inventory", "IllegalStateException: broken /etc/secret/file");
    }
}
