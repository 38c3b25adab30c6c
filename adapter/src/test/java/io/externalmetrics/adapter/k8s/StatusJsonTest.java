package io.externalmetrics.adapter.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The {@code Status} bodies: the direct layout for plain text writes exactly what the JSON generator writes. */
class StatusJsonTest {

    private static final List<String> TEXTS = List.of("", "metric \"q\" in namespace \"default\": no such metric",
            "a\\b", "tab\there", "line\nbreak", "nul\u0000", "del\u007f", "caf\u00e9", "emoji \uD83D\uDE00",
            "</script>&'", "x".repeat(5000), " leading and trailing ");

    @Test
    void everyBody_isTheJsonGeneratorsBytes_forPlainAndOtherText() {
        List<String> texts = new ArrayList<>(TEXTS);
        Random random = new Random(20261130);
        for (int i = 0; i < 2000; i++) {
            char[] chars = new char[random.nextInt(40)];
            for (int j = 0; j < chars.length; j++) {
                // mostly printable ASCII, sometimes a quote, backslash, control or non-ASCII character
                chars[j] = random.nextInt(10) == 0 ? (char) random.nextInt(0x250)
                        : (char) (0x20 + random.nextInt(0x5f));
            }
            texts.add(new String(chars));
        }
        for (String message : texts) {
            for (String name : new String[] {null, "queue-depth", "caf\u00e9", "a\"b", message}) {
                for (StatusReason reason : StatusReason.values()) {
                    assertThat(new String(StatusJson.write(reason.code(), reason, message, name),
                            StandardCharsets.UTF_8))
                            .as("message %s, name %s", message, name)
                            .isEqualTo(new String(StatusJson.writeWithJackson(reason.code(), reason, message, name),
                                    StandardCharsets.UTF_8));
                }
            }
        }
    }

    @Test
    void metricNotFound_isAKubernetesStatusNamingTheMetric() throws Exception {
        JsonNode status = new ObjectMapper().readTree(StatusJson.metricNotFound("queue-depth",
                "metric \"queue-depth\" in namespace \"shop\": no such metric is served by any provider"));

        assertThat(status.get("kind").asText()).isEqualTo("Status");
        assertThat(status.get("apiVersion").asText()).isEqualTo("v1");
        assertThat(status.get("status").asText()).isEqualTo("Failure");
        assertThat(status.get("message").asText())
                .isEqualTo("metric \"queue-depth\" in namespace \"shop\": no such metric is served by any provider");
        assertThat(status.get("reason").asText()).isEqualTo("NotFound");
        assertThat(status.get("details").get("name").asText()).isEqualTo("queue-depth");
        assertThat(status.get("details").get("group").asText()).isEqualTo("external.metrics.k8s.io");
        assertThat(status.get("details").get("kind").asText()).isEqualTo("queue-depth");
        assertThat(status.get("code").asInt()).isEqualTo(404);
    }
}
