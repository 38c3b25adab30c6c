package io.externalmetrics.adapter;

import static io.externalmetrics.adapter.testing.TestAdapter.VALUES;
import static io.externalmetrics.adapter.testing.TestAdapter.json;
import static io.externalmetrics.adapter.testing.TestAdapter.values;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.Https;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The adapter as Kubernetes sees it: real HTTPS (HTTP/1.1 and HTTP/2), a real provider over gRPC. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdapterIntegrationTest {

    private RunningAdapter running;

    @BeforeAll
    void start() {
        running = new RunningAdapter();
    }

    @AfterAll
    void stop() {
        if (running != null) {
            running.close();
        }
    }

    private HttpResponse<String> get(HttpClient.Version version, String pathAndQuery) {
        return running.adapter.get(version, pathAndQuery);
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void discovery_documents_areServed(HttpClient.Version version) {
        HttpResponse<String> apis = get(version, "/apis");
        assertThat(apis.version()).isEqualTo(version);
        assertThat(json(apis).at("/groups/0/preferredVersion/groupVersion").asText())
                .isEqualTo("external.metrics.k8s.io/v1beta1");
        assertThat(json(get(version, "/apis/external.metrics.k8s.io")).get("kind").asText()).isEqualTo("APIGroup");
        JsonNode resources = json(get(version, "/apis/external.metrics.k8s.io/v1beta1"));
        assertThat(resources.get("kind").asText()).isEqualTo("APIResourceList");
        assertThat(resources.get("resources")).hasSize(1);
        assertThat(resources.at("/resources/0/name").asText()).isEqualTo("externalmetrics");
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void read_withoutSelector_returnsTheBaseValue(HttpClient.Version version) {
        HttpResponse<String> response = get(version, VALUES + "default/incrementable");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode list = json(response);
        assertThat(list.get("kind").asText()).isEqualTo("ExternalMetricValueList");
        assertThat(list.get("apiVersion").asText()).isEqualTo("external.metrics.k8s.io/v1beta1");
        JsonNode item = list.at("/items/0");
        assertThat(list.get("items")).hasSize(1);
        assertThat(item.get("metricName").asText()).isEqualTo("incrementable");
        assertThat(item.get("metricLabels").isEmpty()).isTrue();
        assertThat(item.get("value").asText()).isEqualTo("1500m");
        Instant timestamp = Instant.parse(item.get("timestamp").asText());
        assertThat(timestamp).isBetween(Instant.now().minusSeconds(10), Instant.now().plusSeconds(1));
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void read_withEqualitySelector_returnsThatSeries(HttpClient.Version version) {
        JsonNode list = json(get(version, VALUES + "default/incrementable?labelSelector=some-key%3DB"));

        assertThat(list.get("items")).hasSize(1);
        assertThat(list.at("/items/0/metricLabels/some-key").asText()).isEqualTo("B");
        assertThat(values(list)).containsExactly("2k");
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void read_withSetSelectorAsClientGoEncodesIt_returnsBothSeries(HttpClient.Version version) {
        JsonNode list = json(get(version, VALUES + "default/incrementable?labelSelector=some-key+in+(A,C)"));

        assertThat(list.get("items").valueStream().map(i -> i.at("/metricLabels/some-key").asText()))
                .containsExactlyInAnyOrder("A", "C");
        assertThat(values(list)).containsExactlyInAnyOrder("1500m", "-3");
    }

    @Test
    void read_selectorMatchingNothing_isAnEmptyListNotTheBaseValue() {
        JsonNode list = json(get(HttpClient.Version.HTTP_2,
                VALUES + "default/incrementable?labelSelector=some-key%3DZ"));

        assertThat(list.get("items")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void read_unknownMetric_is404Status(HttpClient.Version version) {
        HttpResponse<String> response = get(version, VALUES + "default/nope");

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode status = json(response);
        assertThat(status.get("kind").asText()).isEqualTo("Status");
        assertThat(status.get("reason").asText()).isEqualTo("NotFound");
        assertThat(status.get("code").asInt()).isEqualTo(404);
        assertThat(status.get("message").asText()).startsWith("metric \"nope\" in namespace \"default\"");
        assertThat(status.at("/details/group").asText()).isEqualTo("external.metrics.k8s.io");
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void read_badSelector_is400StatusQuotingIt(HttpClient.Version version) {
        HttpResponse<String> response = get(version, VALUES + "default/nope?labelSelector=some-key%3D%3D%3Dx");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode status = json(response);
        assertThat(status.get("reason").asText()).isEqualTo("BadRequest");
        assertThat(status.get("message").asText())
                .startsWith("metric \"nope\" in namespace \"default\" with selector \"some-key===x\": "
                        + "invalid label selector");
    }

    /** {@code some-key in (B,x0,x1,...)}, exactly {@code length} characters long. */
    private static String longSelector(int length) {
        var selector = new StringBuilder("some-key in (B");
        for (int i = 0; selector.length() < length - 40; i++) {
            selector.append(",x").append(i);
        }
        int padding = length - selector.length() - ",y)".length();
        selector.append(",y").append("z".repeat(padding)).append(')');
        return selector.toString();
    }

    /** Every byte as {@code %XX}: the longest request a client can make of a selector. */
    private static String percentEncodeAll(String text) {
        var encoded = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            encoded.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
        }
        return encoded.toString();
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void read_selectorAsLongAsAllowed_isServedEvenFullyEncoded_oneCharacterMoreIsA400(HttpClient.Version version) {
        String longest = longSelector(10_000);
        assertThat(longest).hasSize(10_000);
        JsonNode list = json(get(version, VALUES + "default/incrementable?labelSelector=" + percentEncodeAll(longest)));
        assertThat(list.get("items").valueStream().map(i -> i.at("/metricLabels/some-key").asText()))
                .containsExactly("B");

        HttpResponse<String> tooLong = get(version, VALUES + "default/incrementable?labelSelector="
                + percentEncodeAll(longSelector(10_001)));
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(json(tooLong).get("message").asText())
                .contains("10001 characters long, more than the 10000 allowed");
    }

    @Test
    void read_malformedEscape_is400() {
        Https.RawResponse response = Https.rawGet(running.adapter.selfSignedCertificatePem().orElseThrow(),
                running.adapter.port(), VALUES + "default/incrementable?labelSelector=%zz");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body())
                .contains("\"kind\":\"Status\"", "\"reason\":\"BadRequest\"", "malformed URL escape");
    }

    @Test
    void read_metricForAllNamespaces_isVisibleFromEveryNamespace() {
        assertThat(values(json(get(HttpClient.Version.HTTP_2, VALUES + "default/incrementable"))))
                .containsExactly("1500m");
        assertThat(values(json(get(HttpClient.Version.HTTP_2, VALUES + "other/incrementable"))))
                .containsExactly("1500m");
    }

    @Test
    void read_metricOfOneNamespace_isInvisibleFromAnother() {
        assertThat(values(json(get(HttpClient.Version.HTTP_2, VALUES + "default/only-default")))).containsExactly("42");

        HttpResponse<String> other = get(HttpClient.Version.HTTP_2, VALUES + "other/only-default");

        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(json(other).get("message").asText()).startsWith("metric \"only-default\" in namespace \"other\"");
    }

    @Test
    void read_differentCase_findsTheMetric() {
        assertThat(values(json(get(HttpClient.Version.HTTP_2, VALUES + "default/Incrementable"))))
                .containsExactly("1500m");
    }

    @Test
    void read_pushMetric_changesAfterAnEvent() {
        running.pushed.set(7);
        running.pushEvents.fire();

        Await.until("the pushed value 7 to be served", Duration.ofSeconds(10), () ->
                values(json(get(HttpClient.Version.HTTP_2, VALUES + "default/pushed"))).equals(List.of("7")));

        running.pushed.set(8);
        running.pushEvents.fire();

        Await.until("the pushed value 8 to be served", Duration.ofSeconds(10), () ->
                values(json(get(HttpClient.Version.HTTP_2, VALUES + "other/pushed"))).equals(List.of("8")));
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void health_paths_sayOk(HttpClient.Version version) {
        for (String path : List.of("/healthz", "/livez", "/readyz")) {
            HttpResponse<String> response = get(version, path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.body()).as(path).isEqualTo("ok");
        }
        assertThat(get(version, "/readyz?verbose").body())
                .isEqualTo("[+]ping ok\n[+]providers ok\n[+]authentication ok\nreadyz check passed\n");
        assertThat(get(version, "/livez?verbose").body()).isEqualTo("[+]ping ok\nlivez check passed\n");
    }

    @Test
    void health_singleChecks_areServedAsKubernetesDoes() {
        for (String path : List.of("/healthz/ping", "/livez/ping", "/readyz/ping", "/readyz/providers",
                "/readyz/ping/")) {
            HttpResponse<String> response = get(HttpClient.Version.HTTP_2, path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.body()).as(path).isEqualTo("ok");
        }
        HttpResponse<String> unknown = get(HttpClient.Version.HTTP_2, "/livez/providers");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("no such check: /livez/providers\n");
    }

    @Test
    void openApi_documents_areServed() {
        JsonNode v2 = json(get(HttpClient.Version.HTTP_2, "/openapi/v2"));
        assertThat(v2.get("swagger").asText()).isEqualTo("2.0");
        JsonNode index = json(get(HttpClient.Version.HTTP_2, "/openapi/v3"));
        String url = index.at("/paths/apis~1external.metrics.k8s.io~1v1beta1/serverRelativeURL").asText();
        assertThat(url).startsWith("/openapi/v3/apis/external.metrics.k8s.io/v1beta1?hash=");
        assertThat(json(get(HttpClient.Version.HTTP_2, url)).get("openapi").asText()).startsWith("3.0");
    }

    @Test
    void protobufOnlyClient_gets406() {
        HttpResponse<String> response = Https.send(running.client(HttpClient.Version.HTTP_2),
                HttpRequest.newBuilder(URI.create(running.url(VALUES + "default/incrementable")))
                        .header("Accept", "application/vnd.kubernetes.protobuf").GET().build());

        assertThat(response.statusCode()).isEqualTo(406);
        assertThat(json(response).get("reason").asText()).isEqualTo("NotAcceptable");
    }

    @Test
    void post_gets405() {
        HttpResponse<String> response = Https.send(running.client(HttpClient.Version.HTTP_1_1),
                HttpRequest.newBuilder(URI.create(running.url(VALUES + "default/incrementable")))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(json(response).get("reason").asText()).isEqualTo("MethodNotAllowed");
    }

    @Test
    void unknownPath_is404Status() {
        HttpResponse<String> response = get(HttpClient.Version.HTTP_2,
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/default");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("kind").asText()).isEqualTo("Status");
    }

    @Test
    void inventory_listsEveryMetricWithProviderAndValue() {
        JsonNode inventory = json(get(HttpClient.Version.HTTP_2, "/debug/inventory"));

        assertThat(inventory.at("/providers/0/name").asText()).isEqualTo("example");
        assertThat(inventory.at("/providers/0/reached").asBoolean()).isTrue();
        assertThat(inventory.get("metrics").valueStream()
                .map(m -> m.get("namespace").asText() + "/" + m.get("name").asText()))
                .containsExactly("*/incrementable", "*/pushed", "default/only-default");
        JsonNode incrementable = inventory.at("/metrics/0");
        assertThat(incrementable.get("provider").asText()).isEqualTo("example");
        assertThat(incrementable.get("trigger").asText()).isEqualTo("every 200ms");
        assertThat(incrementable.get("fresh").asBoolean()).isTrue();
        assertThat(incrementable.at("/value/base").asText()).isEqualTo("1500m");
        assertThat(incrementable.at("/value/series").valueStream().map(s -> s.at("/labels/some-key").asText()))
                .containsExactlyInAnyOrder("A", "B", "C");
        assertThat(incrementable.get("fetches").asLong()).isPositive();
    }

    /** A response's status line and headers, read up to the blank line that ends them. */
    private static String readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed after: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** The value of header {@code name} in a response head, or null. */
    private static String header(String head, String name) {
        return head.lines()
                .filter(line -> line.toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":"))
                .map(line -> line.substring(name.length() + 1).trim())
                .findFirst().orElse(null);
    }

    @Test
    void head_thenGet_onOneHttp11Connection_areWellFramedResponses() throws IOException {
        List<String> paths = List.of("/apis", VALUES + "default/incrementable", VALUES + "default/nope", "/nope",
                "/openapi/v2", "/livez", "/livez/providers");
        try (var socket = (SSLSocket) Https.trusting(running.adapter.selfSignedCertificatePem().orElseThrow())
                .getSocketFactory().createSocket("localhost", running.adapter.port())) {
            socket.setSoTimeout(10_000);
            var params = socket.getSSLParameters();
            params.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(params);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            String host = "Host: localhost:" + running.adapter.port() + "\r\n";

            for (String path : paths) {
                HttpResponse<String> get = get(HttpClient.Version.HTTP_1_1, path);
                out.write(("HEAD " + path + " HTTP/1.1\r\n" + host + "Accept: application/json\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                // a body after an earlier HEAD answer would be read here as the start of this one
                String head = readHead(in);
                assertThat(head).as(path).startsWith("HTTP/1.1 " + get.statusCode() + " ");
                assertThat(header(head, "Content-Type")).as(path).isEqualTo(get.headers().firstValue("content-type")
                        .orElseThrow());
                assertThat(header(head, "Content-Length")).as(path)
                        .isEqualTo(String.valueOf(get.body().getBytes(StandardCharsets.UTF_8).length));
            }
            out.write(("GET /livez HTTP/1.1\r\n" + host + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String livez = readHead(in);
            assertThat(livez).startsWith("HTTP/1.1 200 ");
            assertThat(header(livez, "Content-Length")).isEqualTo("2");
            assertThat(new String(in.readNBytes(2), StandardCharsets.US_ASCII)).isEqualTo("ok");
        }
    }

    /** Over HTTP/1.1 Java's client reads no body after a HEAD answer; over HTTP/2 it takes what DATA frames carry. */
    @Test
    void head_overHttp2_hasTheHeadersOfGet_andNoBody() {
        HttpClient client = running.client(HttpClient.Version.HTTP_2);
        for (String path : List.of("/apis", VALUES + "default/incrementable", VALUES + "default/nope", "/livez")) {
            HttpResponse<String> get = Https.get(client, running.url(path));
            HttpResponse<String> head = Https.send(client, HttpRequest.newBuilder(URI.create(running.url(path)))
                    .header("Accept", "application/json")
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build());

            assertThat(head.version()).as(path).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(head.statusCode()).as(path).isEqualTo(get.statusCode());
            assertThat(head.headers().firstValue("content-type")).as(path)
                    .isEqualTo(get.headers().firstValue("content-type"));
            assertThat(head.headers().firstValue("content-length")).as(path)
                    .contains(String.valueOf(get.body().getBytes(StandardCharsets.UTF_8).length));
            assertThat(head.body()).as(path).isEmpty();
        }
    }
}
