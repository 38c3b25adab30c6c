package io.externalmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.ReadResult;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How the values route answers an upstream's refusal passed on (see {@code ReadResult.Refused}): its
 * code, the Kubernetes reason of that code, and the message after what the read was about.
 */
class RefusedAnswerTest {

    private final ApiHandler handler = new ApiHandler(new MetricCache(Clock.systemUTC()), () -> true, Map::of,
            Clock.systemUTC());

    private JsonNode answer(ReadResult result, int expectedCode) throws Exception {
        ApiHandler.ValuesAnswer answer = handler.answer("shop", "s0-queue", Optional.of("queue=orders"), result);
        assertThat(answer.code()).isEqualTo(expectedCode);
        return new ObjectMapper().readTree(answer.body());
    }

    @Test
    void upstream400_isA400BadRequest_withTheUpstreamsMessageAfterTheRead() throws Exception {
        JsonNode status = answer(new ReadResult.Refused(400, "provider \"upstream\": upstream answered 400: "
                + "unable to parse the selector"), 400);

        assertThat(status.get("kind").asText()).isEqualTo("Status");
        assertThat(status.get("reason").asText()).isEqualTo("BadRequest");
        assertThat(status.get("code").asInt()).isEqualTo(400);
        assertThat(status.get("message").asText()).isEqualTo("metric \"s0-queue\" in namespace \"shop\" with "
                + "selector \"queue=orders\": provider \"upstream\": upstream answered 400: unable to parse the "
                + "selector");
    }

    @Test
    void upstreamCodeWithoutAReasonOfItsOwn_keepsItsCode_withTheNearestReason() throws Exception {
        JsonNode status = answer(new ReadResult.Refused(422, "provider \"upstream\": upstream answered 422: no"), 422);

        assertThat(status.get("code").asInt()).isEqualTo(422);
        assertThat(status.get("reason").asText()).isEqualTo("BadRequest");
    }
}
