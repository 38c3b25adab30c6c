package io.externalmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.ProviderState;
import io.externalmetrics.adapter.cache.ProviderState.Connectivity;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.cache.TriggerSpec;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /debug/explain} and the {@code /debug/} status page through Helidon's routing in memory: the
 * status, headers and bytes a client receives, and an explained answer equal to the values route's own.
 */
class DebugRoutingTest {

    private static final Instant T0 = Instant.parse("2026-11-24T22:09:18.750Z");
    private static final String VALUES = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String KUBECTL_ACCEPT = "application/json, */*";
    private static final String BROWSER_ACCEPT =
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestClock clock = new TestClock(T0);
    private final MetricCache cache = new MetricCache(clock);
    private DirectClient client;

    private record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    @BeforeEach
    void start() {
        HttpRouting.Builder routing = HttpRouting.builder();
        new ApiRouting(new ApiHandler(cache, () -> true, () -> Map.of(new MetricKey("*", "queue"), 4L), clock))
                .register(routing);
        client = new DirectClient(routing);
    }

    @AfterEach
    void close() {
        client.close();
    }

    private Answer get(String pathAndQuery, String accept) {
        try (HttpClientResponse response = client.method(Method.GET).skipUriEncoding(true).path(pathAndQuery)
                .header(HeaderNames.ACCEPT, accept).request()) {
            Map<String, String> received = new HashMap<>();
            response.headers().forEach(h -> received.put(h.name().toLowerCase(Locale.ROOT), h.get()));
            String body = response.entity().hasEntity()
                    ? new String(response.entity().as(byte[].class), StandardCharsets.UTF_8) : "";
            return new Answer(response.status().code(), received, body);
        }
    }

    private static MetricInfo info(String namespace, String name, OnErrorPolicy onError) {
        return new MetricInfo(new MetricKey(namespace, name), "p", new TriggerSpec.Interval(Duration.ofSeconds(1)),
                Duration.ofSeconds(3), onError);
    }

    private void queue(OnErrorPolicy onError) {
        cache.registerProvider("p", List.of(info("*", "queue", onError)));
        cache.updateProvider(new ProviderState("p", "127.0.0.1:50051", true, "Describe listed 1 metric",
                Connectivity.READY, Instant.EPOCH));
        cache.recordSuccess(new MetricKey("*", "queue"), Sample.of("queue", OptionalDouble.of(12), List.of(
                new Sample.SeriesValue(Map.of("some-key", "A"), 5),
                new Sample.SeriesValue(Map.of("some-key", "B"), 7)), T0, false, Optional.empty()));
    }

    /** The explanation of a read, checked to carry the answer the values route gives for that read. */
    private JsonNode explain(String namespace, String metric, String encodedSelector) {
        String query = "?namespace=" + namespace + "&metric=" + metric
                + (encodedSelector.isEmpty() ? "" : "&labelSelector=" + encodedSelector);
        Answer explained = get("/debug/explain" + query, KUBECTL_ACCEPT);
        assertThat(explained.status()).as(explained.body()).isEqualTo(200);
        assertThat(explained.header("Content-Type")).isEqualTo("application/json");
        Answer read = get(VALUES + namespace + "/" + metric
                + (encodedSelector.isEmpty() ? "" : "?labelSelector=" + encodedSelector), KUBECTL_ACCEPT);
        JsonNode json = explained.json();
        assertThat(json.get("answer").get("code").asInt()).isEqualTo(read.status());
        assertThat(json.get("answer").get("body")).isEqualTo(read.json());
        return json;
    }

    @Test
    void explain_foundBySelector_listsEverySeriesAndTheRequirementThatRejectsIt() {
        queue(OnErrorPolicy.error());

        JsonNode json = explain("default", "queue", "some-key%3DB");

        assertThat(json.get("request").get("path").asText())
                .isEqualTo(VALUES + "default/queue?labelSelector=some-key%3DB");
        assertThat(json.get("registration").get("matched").asBoolean()).isTrue();
        assertThat(json.get("registration").get("how").asText()).isEqualTo("allNamespaces");
        assertThat(json.get("registration").get("namespace").asText()).isEqualTo("*");
        assertThat(json.get("provider").get("target").asText()).isEqualTo("127.0.0.1:50051");
        assertThat(json.get("provider").get("reached").asBoolean()).isTrue();
        assertThat(json.get("value").get("selection").asText()).isEqualTo("matchingSeries");
        JsonNode series = json.get("value").get("series");
        assertThat(series).hasSize(2);
        assertThat(series.get(0).get("labels").get("some-key").asText()).isEqualTo("A");
        assertThat(series.get(0).get("selected").asBoolean()).isFalse();
        assertThat(series.get(0).get("rejectedBy").asText()).isEqualTo("some-key=B");
        assertThat(series.get(1).get("selected").asBoolean()).isTrue();
        assertThat(series.get(1).has("rejectedBy")).isFalse();
        assertThat(json.get("freshness").get("fresh").asBoolean()).isTrue();
        assertThat(json.get("policy").get("inForce").asBoolean()).isFalse();
        assertThat(json.get("answer").get("body").get("items").get(0).get("value").asText()).isEqualTo("7");
    }

    @Test
    void explain_answer_isTheValuesRoutesAnswer_forEveryOutcome() {
        queue(OnErrorPolicy.error());
        cache.registerProvider("q", List.of(
                new MetricInfo(new MetricKey("*", "kept"), "q", new TriggerSpec.Interval(Duration.ofSeconds(1)),
                        Duration.ofSeconds(3), new OnErrorPolicy.LastKnownGood(Duration.ofMinutes(1))),
                new MetricInfo(new MetricKey("*", "fixed"), "q", new TriggerSpec.Interval(Duration.ofSeconds(1)),
                        Duration.ofSeconds(3), new OnErrorPolicy.Static("3"))));
        cache.recordSuccess(new MetricKey("*", "kept"),
                Sample.of("kept", OptionalDouble.of(9), List.of(), T0, false, Optional.empty()));
        cache.recordFailure(new MetricKey("*", "queue"), "UNAVAILABLE: connection refused");
        clock.advance(Duration.ofSeconds(5));

        JsonNode stale = explain("default", "queue", "");
        JsonNode kept = explain("team", "kept", "");
        JsonNode fixed = explain("team", "fixed", "");
        JsonNode missing = explain("team", "absent", "");

        assertThat(stale.get("answer").get("code").asInt()).isEqualTo(503);
        assertThat(stale.get("policy").get("answered").asText()).isEqualTo("error");
        assertThat(stale.get("lastError").get("message").asText()).isEqualTo("UNAVAILABLE: connection refused");
        assertThat(stale.get("freshness").get("agedBy").asText()).isEqualTo("fetch");
        assertThat(stale.get("freshness").get("age").asText()).isEqualTo("5.0s");
        assertThat(kept.get("answer").get("code").asInt()).isEqualTo(200);
        assertThat(kept.get("policy").get("answered").asText()).isEqualTo("lastKnownGood");
        assertThat(fixed.get("answer").get("code").asInt()).isEqualTo(200);
        assertThat(fixed.get("policy").get("answered").asText()).isEqualTo("static");
        assertThat(fixed.get("freshness").has("age")).isFalse();
        assertThat(missing.get("answer").get("code").asInt()).isEqualTo(404);
        assertThat(missing.get("registration").get("matched").asBoolean()).isFalse();
        assertThat(missing.get("registration").get("explanation").asText()).contains("no registration matches");
    }

    @Test
    void explainAndInventory_ofAMetricOfManySeries_listTheFirstThousand_andCountTheRest() {
        cache.registerProvider("p", List.of(info("*", "queue", OnErrorPolicy.error())));
        cache.recordSuccess(new MetricKey("*", "queue"), Sample.of("queue", OptionalDouble.empty(),
                java.util.stream.IntStream.range(0, 1200).mapToObj(i -> new Sample.SeriesValue(
                        Map.of("shard", Integer.toString(i)), i)).toList(), T0, false, Optional.empty()));

        JsonNode explained = explain("default", "queue", "");
        assertThat(explained.at("/value/series").size()).isEqualTo(1000);
        assertThat(explained.at("/value/unlistedSeries/count").asLong()).isEqualTo(200);
        assertThat(explained.at("/value/unlistedSeries/selected").asLong()).isEqualTo(200);
        assertThat(get("/debug/explain?namespace=default&metric=queue&format=text", KUBECTL_ACCEPT).body())
                .contains("  ... and 200 more series, 200 of them selected (the first 1000 are listed)");

        JsonNode inventory = get("/debug/inventory", KUBECTL_ACCEPT).json().at("/metrics/0/value");
        assertThat(inventory.get("seriesCount").asInt()).isEqualTo(1200);
        assertThat(inventory.get("series").size()).isEqualTo(1000);
    }

    @Test
    void explain_asText_forKubectlGetRaw() {
        queue(OnErrorPolicy.error());

        Answer text = get("/debug/explain?namespace=default&metric=QUEUE&labelSelector=some-key%3DB&format=text",
                KUBECTL_ACCEPT);

        assertThat(text.status()).isEqualTo(200);
        assertThat(text.header("Content-Type")).startsWith("text/plain");
        assertThat(text.body()).contains(
                "registration:  case-insensitive, namespace fallback: \"queue\" registered in namespace \"*\"",
                "  - {some-key=A} 5  (rejected by some-key=B)",
                "  + {some-key=B} 7",
                "freshness:     fresh: 0.0s old counted from the fetch",
                "on error:      error, not in force",
                "answer:        HTTP 200");
    }

    @Test
    void explain_badInput_is400NamingTheParameter() {
        Map<String, String> cases = Map.of(
                "?namespace=default", "query parameter \"metric\" is required",
                "?metric=queue", "query parameter \"namespace\" is required",
                "?namespace=Not_A_Namespace&metric=queue", "query parameter \"namespace\": \"Not_A_Namespace\"",
                "?namespace=default&metric=queue&labelSelector=a%3D%3D%3Db", "query parameter \"labelSelector\": "
                        + "invalid label selector",
                "?namespace=default&metric=queue&format=yaml", "query parameter \"format\" must be");

        cases.forEach((query, message) -> {
            Answer answer = get("/debug/explain" + query, KUBECTL_ACCEPT);
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.json().get("kind").asText()).isEqualTo("Status");
            assertThat(answer.json().get("message").asText()).as(query).startsWith(message);
        });
    }

    @Test
    void statusPage_isHtmlForABrowser_withProvidersMetricsAndASparkline() {
        queue(OnErrorPolicy.error());
        cache.recordSuccess(new MetricKey("*", "queue"),
                Sample.of("queue", OptionalDouble.of(14), List.of(), T0, false, Optional.empty()));

        for (String path : List.of("/debug", "/debug/", "/debug/ as text/html only")) {
            Answer page = path.endsWith("only") ? get("/debug/", "text/html") : get(path, BROWSER_ACCEPT);
            assertThat(page.status()).as(path).isEqualTo(200);
            assertThat(page.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
            assertThat(page.body()).startsWith("<!DOCTYPE html>").contains("127.0.0.1:50051", ">queue</a>",
                    "<td class=\"value\">14</td>", "data-points=\"2\"", "<polyline points=\"");
            assertThat(page.body()).doesNotContain("<script", "http://", "https://");
        }
    }

    @Test
    void statusPage_escapesNamesErrorsAndProviderWords() {
        cache.registerProvider("p", List.of(info("*", "<script>alert(1)<", OnErrorPolicy.error())));
        cache.updateProvider(new ProviderState("p", "127.0.0.1:1", false, "<img src=x onerror=alert(2)>",
                Connectivity.CONNECTING, Instant.EPOCH));
        cache.recordFailure(new MetricKey("*", "<script>alert(1)<"), "INTERNAL: <script>alert(3)</script>");

        String body = get("/debug/", BROWSER_ACCEPT).body();

        assertThat(body).doesNotContain("<script", "<img");
        assertThat(body).contains("&lt;script&gt;alert(1)&lt;", "&lt;img src=x onerror=alert(2)&gt;",
                "INTERNAL: &lt;script&gt;alert(3)&lt;/script&gt;");
    }
}
