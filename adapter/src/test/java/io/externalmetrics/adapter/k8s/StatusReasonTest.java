package io.externalmetrics.adapter.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The reasons and codes of K8S-CONTRACT.md section 2, as apimachinery's {@code metav1} pairs them. */
class StatusReasonTest {

    @Test
    void table_pairsEachReasonWithItsKubernetesCode() {
        assertThat(Arrays.stream(StatusReason.values()).map(r -> r.reason() + " " + r.code())).containsExactly(
                "BadRequest 400", "Unauthorized 401", "Forbidden 403", "NotFound 404", "MethodNotAllowed 405",
                "NotAcceptable 406", "RequestEntityTooLarge 413", "InternalError 500", "ServiceUnavailable 503");
    }

    @Test
    void forCode_findsTheReason_elseInternalErrorForServerErrorsAndBadRequestForTheRest() {
        assertThat(StatusReason.forCode(404)).isEqualTo(StatusReason.NOT_FOUND);
        assertThat(StatusReason.forCode(413)).isEqualTo(StatusReason.REQUEST_ENTITY_TOO_LARGE);
        assertThat(StatusReason.forCode(503)).isEqualTo(StatusReason.SERVICE_UNAVAILABLE);
        assertThat(StatusReason.forCode(431)).isEqualTo(StatusReason.BAD_REQUEST);
        assertThat(StatusReason.forCode(414)).isEqualTo(StatusReason.BAD_REQUEST);
        assertThat(StatusReason.forCode(505)).isEqualTo(StatusReason.INTERNAL_ERROR);
    }

    @Test
    void status_forACodeWithoutItsOwnReason_carriesThatCode() {
        assertThat(new String(StatusJson.failure(431, StatusReason.forCode(431), "headers too large"),
                StandardCharsets.UTF_8)).isEqualTo("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                + "\"metadata\":{},\"status\":\"Failure\",\"message\":\"headers too large\",\"reason\":\"BadRequest\","
                + "\"code\":431}");
    }

    @Test
    void abbreviate_keepsTextUpTo100Characters_andCutsLongerWithAnEllipsis() {
        String hundred = "x".repeat(100);

        assertThat(StatusJson.abbreviate(hundred)).isEqualTo(hundred);
        assertThat(StatusJson.abbreviate(hundred + "y")).hasSize(100).isEqualTo("x".repeat(97) + "...");
    }
}
