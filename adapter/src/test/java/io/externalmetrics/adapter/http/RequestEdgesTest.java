package io.externalmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.externalmetrics.adapter.testing.FakeProvider;
import io.externalmetrics.adapter.testing.Https;
import io.externalmetrics.adapter.testing.TestAdapter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Requests at the edges {@link FuzzTest} found answered badly: oversized over HTTP/2 (served as if
 * no limit held), oversized headers over HTTP/1.1 (a bare 400), a first request line no protocol
 * claims (no answer at all). Each now gets a {@code Status} with the code that says why.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestEdgesTest {

    private FakeProvider provider;
    private TestAdapter adapter;

    @BeforeAll
    void start() {
        provider = FakeProvider.start(0).value("m", 1);
        adapter = TestAdapter.withProviders("""
                  - name: edges
                    target: 127.0.0.1:%d
                    metrics: [{namespace: "*", name: m, interval: 1s}]
                """.formatted(provider.port()));
    }

    @AfterAll
    void stop() {
        adapter.close();
        provider.close();
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void pathAndQueryOverTheLimit_is414Status(HttpClient.Version version) {
        String query = "?x=" + "a".repeat(RequestChecks.MAX_TARGET_BYTES);

        HttpResponse<String> response = adapter.get(version, "/apis" + query);

        // over HTTP/1.1 Helidon's parser answers it, before the routing
        assertStatus(response.statusCode(), response.body(), 414, version == HttpClient.Version.HTTP_1_1
                ? "the request was rejected before routing"
                : "the request's path and query are " + ("/apis".length() + query.length() - 1)
                        + " characters long, more than the 65536");
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void headersOverTheLimit_are431Status_headersUpToIt_areServed(HttpClient.Version version) {
        HttpResponse<String> tooLarge = get(version, "v".repeat(RequestChecks.MAX_HEADER_BYTES));
        HttpResponse<String> largest = get(version, "v".repeat(RequestChecks.MAX_HEADER_BYTES / 2));

        assertStatus(tooLarge.statusCode(), tooLarge.body(), 431, "the request's header fields are ");
        assertThat(largest.statusCode()).as(largest.body()).isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void pathThatDoesNotDecode_is400Status_andTheConnectionServesOn(HttpClient.Version version) {
        // over HTTP/2 Helidon's own validation of such a path ended the connection, and every stream on it
        HttpResponse<String> response = adapter.get(version, "///?labelSelector=a");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(TestAdapter.json(response.body()).get("kind").asText()).isEqualTo("Status");
        assertThat(response.body()).doesNotContain("Exception", "at io.");
        assertThat(adapter.get(version, "/apis").statusCode()).isEqualTo(200);
    }

    @Test
    void firstRequestLine_withABareLineFeed_is400Status() throws IOException {
        Optional<RawHttp1.Answer> answer = rawFirstRequest("GET /apis/a\nb HTTP/1.1\r\nHost: localhost\r\n\r\n");

        assertThat(answer).as("an answer").isPresent();
        assertStatus(answer.get().status(), answer.get().body(), 400, "the request line cannot be read");
        assertThat(answer.get().headers()).containsEntry("connection", "close");
    }

    @Test
    void http10_is505Status() throws IOException {
        Optional<RawHttp1.Answer> answer = rawFirstRequest("GET /apis HTTP/1.0\r\n\r\n");

        assertThat(answer).as("an answer").isPresent();
        assertStatus(answer.get().status(), answer.get().body(), 505, "HTTP/1.0 is not supported");
    }

    private HttpResponse<String> get(HttpClient.Version version, String headerValue) {
        return Https.send(adapter.client(version), HttpRequest.newBuilder(URI.create(adapter.url("/apis")))
                .header("X-Remote-Group", headerValue)
                .timeout(Duration.ofSeconds(10))
                .build());
    }

    private Optional<RawHttp1.Answer> rawFirstRequest(String request) throws IOException {
        try (var raw = new RawHttp1(Https.trusting(adapter.selfSignedCertificatePem().orElseThrow()), adapter.port())) {
            return raw.send(request.getBytes(StandardCharsets.UTF_8), false);
        }
    }

    private static void assertStatus(int status, String body, int code, String messageStart) {
        assertThat(status).as(body).isEqualTo(code);
        JsonNode json = TestAdapter.json(body);
        assertThat(json.get("kind").asText()).isEqualTo("Status");
        assertThat(json.get("code").asInt()).isEqualTo(code);
        assertThat(json.get("message").asText()).startsWith(messageStart);
    }
}
