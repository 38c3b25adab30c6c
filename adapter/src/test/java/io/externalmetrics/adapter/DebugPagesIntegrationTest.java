package io.externalmetrics.adapter;

import static io.externalmetrics.adapter.testing.TestAdapter.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeClock;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.Series;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code /debug/explain} and {@code /debug/} of a real adapter over HTTPS with real gRPC providers: an
 * explained answer is what a real read of the values route gets at the same moment (the clock stands still
 * between the two), and the status page shows what providers delivered.
 */
class DebugPagesIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern POLYLINE = Pattern.compile("<polyline points=\"([^\"]*)\"");

    private static String provider(String name, int port, String metrics) {
        return provider(name, port, "20ms", metrics);
    }

    private static String provider(String name, int port, String retry, String metrics) {
        return """
                  - name: %s
                    target: 127.0.0.1:%d
                    retry: {initial: %s, max: %s}
                    metrics:
                %s""".formatted(name, port, retry, retry, metrics);
    }

    /** The explanation of a read in {@code default}, checked against a real read made right after it. */
    private static JsonNode explained(TestAdapter adapter, String metric, String encodedSelector) {
        String selector = encodedSelector.isEmpty() ? "" : "labelSelector=" + encodedSelector;
        HttpResponse<String> explanation = TestAdapter.ok(adapter.get("/debug/explain?namespace=default&metric="
                + metric + (selector.isEmpty() ? "" : "&" + selector)));
        HttpResponse<String> read = adapter.read(metric + (selector.isEmpty() ? "" : "?" + selector));
        JsonNode json = json(explanation);
        assertThat(json.get("answer").get("code").asInt()).as(explanation.body()).isEqualTo(read.statusCode());
        assertThat(json.get("answer").get("body")).isEqualTo(json(read));
        return json;
    }

    @Test
    void explain_answersAsTheValuesRoute_freshStaleByFetchOrObservation_andPolicies() {
        var time = new FakeClock();
        Instant hoursAgo = time.clock().instant().minus(Duration.ofHours(2));
        try (FakeProvider p = FakeProvider.start(0)
                .metric("depth", request -> FetchResponse.newBuilder().setValue(42)
                        .addSeries(Series.newBuilder().putLabels("some-key", "A").setValue(1))
                        .addSeries(Series.newBuilder().putLabels("some-key", "B").setValue(2)).build())
                .metric("relayed", request -> FetchResponse.newBuilder().setValue(5)
                        .setObservedAt(Timestamp.newBuilder().setSeconds(hoursAgo.getEpochSecond())).build())
                .value("kept", 8)
                .value("fixed", 9);
             TestAdapter adapter = TestAdapter.withProviders(time.clock(), provider("p", p.port(), """
                           - {name: depth, interval: 1h}
                           - {name: relayed, interval: 1h, maxAge: 1h}
                           - {name: kept, interval: 1h, onError: lastKnownGood, lastKnownGoodFor: 5h}
                           - {name: fixed, interval: 1h, onError: static, staticValue: "3"}
                     """))) {
            Await.until("values", WAIT, () -> adapter.read("depth").statusCode() == 200
                    && adapter.cache().inventory().stream().allMatch(s -> s.sample().isPresent()));

            JsonNode fresh = explained(adapter, "depth", "some-key%3DB");
            JsonNode relayed = explained(adapter, "relayed", "");
            assertThat(fresh.get("answer").get("code").asInt()).isEqualTo(200);
            assertThat(fresh.get("value").get("series").get(0).get("rejectedBy").asText()).isEqualTo("some-key=B");
            assertThat(relayed.get("answer").get("code").asInt()).isEqualTo(503);
            assertThat(relayed.get("freshness").get("agedBy").asText()).isEqualTo("observation");
            assertThat(relayed.get("freshness").get("sinceFetch").asText()).isEqualTo("0.0s");
            assertThat(relayed.get("freshness").get("sinceObservation").asText()).isEqualTo("2h");

            time.forward(Duration.ofHours(4)); // the max age is three intervals: 3h
            JsonNode stale = explained(adapter, "depth", "");
            JsonNode kept = explained(adapter, "kept", "");
            JsonNode fixed = explained(adapter, "fixed", "");

            assertThat(stale.get("answer").get("code").asInt()).isEqualTo(503);
            assertThat(stale.get("freshness").get("agedBy").asText()).isEqualTo("fetch");
            assertThat(stale.get("freshness").get("age").asText()).isEqualTo("4h");
            assertThat(stale.get("policy").get("answered").asText()).isEqualTo("error");
            assertThat(kept.get("answer").get("body").get("items").get(0).get("value").asText()).isEqualTo("8");
            assertThat(kept.get("policy").get("answered").asText()).isEqualTo("lastKnownGood");
            assertThat(fixed.get("answer").get("body").get("items").get(0).get("value").asText()).isEqualTo("3");
            assertThat(fixed.get("policy").get("answered").asText()).isEqualTo("static");
        }
    }

    @Test
    void explain_providerDown_saysItWasNeverReached_withItsLastError() {
        int port;
        try (FakeProvider gone = FakeProvider.start(0)) {
            port = gone.port();
        }
        // one attempt, then none for an hour: the explanation and the read see the same failure count
        try (TestAdapter adapter = TestAdapter.withProviders(provider("down", port, "1h", """
                       - {name: depth, interval: 1h}
                 """))) {
            Await.until("a failed fetch", WAIT,
                    () -> adapter.cache().inventory().getFirst().failure().isPresent());

            JsonNode json = explained(adapter, "depth", "");
            HttpResponse<String> text = adapter.get("/debug/explain?namespace=default&metric=depth&format=text");

            assertThat(json.get("answer").get("code").asInt()).isEqualTo(503);
            assertThat(json.get("provider").get("reached").asBoolean()).isFalse();
            assertThat(json.get("lastError").get("message").asText()).startsWith("UNAVAILABLE");
            assertThat(json.get("policy").get("answered").asText()).isEqualTo("error");
            assertThat(text.body()).contains("provider:      \"down\" at 127.0.0.1:" + port + ", not reached yet",
                    "last error:    UNAVAILABLE", "answer:        HTTP 503");
        }
    }

    @Test
    void statusPage_showsProvidersMetricsValues_andASparklineOfEachFetch() {
        var value = new AtomicInteger();
        try (FakeProvider p = FakeProvider.start(0)
                .metric("pushed", request -> FetchResponse.newBuilder().setValue(value.get() * 10).build())
                .value("steady", 3);
             TestAdapter adapter = TestAdapter.withProviders(provider("demo", p.port(), """
                           - {name: pushed, push: true, maxAge: 1h}
                           - {name: steady, interval: 1h}
                     """))) {
            Await.until("the first value", WAIT, () -> adapter.served("pushed").equals("0")
                    && adapter.served("steady").equals("3"));
            for (int i = 1; i <= 4; i++) {
                value.set(i);
                Await.until("the stream to be open", WAIT, () -> p.openWatchStreams() > 0);
                p.fire("pushed");
                String expected = String.valueOf(i * 10);
                Await.until("fetch " + i, WAIT, () -> adapter.served("pushed").equals(expected));
            }
            // one point per successful fetch (the connect's and the Watch stream's opening fetches included)
            Await.until("every fetch recorded", WAIT, () -> adapter.get("/debug/").body()
                    .contains("data-points=\"" + p.fetches("pushed") + "\""));
            long fetches = p.fetches("pushed");

            HttpResponse<String> page = TestAdapter.ok(adapter.get("/debug/"));

            assertThat(page.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
            String html = page.body();
            assertThat(html).contains("<td>demo</td>", "127.0.0.1:" + p.port(), ">pushed</a>", ">steady</a>",
                    "<td class=\"value\">40</td>", "<td class=\"value\">3</td>");
            String pushedRow = html.substring(html.indexOf("data-metric=\"*/pushed\""));
            pushedRow = pushedRow.substring(0, pushedRow.indexOf("</tr>"));
            Matcher points = POLYLINE.matcher(pushedRow);
            assertThat(points.find()).as(pushedRow).isTrue();
            assertThat(points.group(1).split(" ")).hasSize((int) fetches);
            assertThat(fetches).isGreaterThanOrEqualTo(5);
            assertThat(pushedRow).contains("data-points=\"" + fetches + "\"");
        }
    }

    /**
     * A provider reached once that then goes away is shown unreachable (not merely "reached"), on the
     * status page and in explain, and connected again once it is back.
     */
    @Test
    void providerThatGoesAway_isShownUnreachable_thenConnectedAgainWhenItIsBack() {
        try (FakeProvider p = FakeProvider.start(0).value("depth", 1);
             TestAdapter adapter = TestAdapter.withProviders(provider("flaky", p.port(), """
                           - {name: depth, interval: 50ms}
                     """))) {
            Await.until("the first value", WAIT, () -> adapter.served("depth").equals("1"));
            Await.until("the status page to show it connected", WAIT,
                    () -> adapter.get("/debug/").body().contains("<td class=\"ok\">connected <span"));
            Instant connectedSince = Instant.parse(explainProvider(adapter).get("since").asText());

            p.close();
            Await.until("the status page to show it unreachable", WAIT, () -> adapter.get("/debug/").body()
                    .contains("<td class=\"bad\">unreachable (transient failure) <span class=\"muted\">since <time>"));
            JsonNode down = explainProvider(adapter);
            String text = adapter.get("/debug/explain?namespace=default&metric=depth&format=text").body();

            assertThat(down.get("reached").asBoolean()).isTrue();
            assertThat(down.get("connectivity").asText()).isEqualTo("unreachable (transient failure)");
            assertThat(Instant.parse(down.get("since").asText())).isAfterOrEqualTo(connectedSince); // in seconds
            assertThat(text).contains("provider:      \"flaky\" at 127.0.0.1:" + p.port()
                    + ", reached; now unreachable (transient failure) since " + down.get("since").asText());

            p.restart();
            Await.until("explain to show it connected again", WAIT,
                    () -> explainProvider(adapter).get("connectivity").asText().equals("connected"));
            assertThat(adapter.get("/debug/").body()).contains("<td class=\"ok\">connected <span");
        }
    }

    private static JsonNode explainProvider(TestAdapter adapter) {
        return json(TestAdapter.ok(adapter.get("/debug/explain?namespace=default&metric=depth"))).get("provider");
    }
}
