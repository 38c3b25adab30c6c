package io.externalmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteKindTest {

    @ParameterizedTest
    @CsvSource({
        "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue-depth, values",
        "/apis/external.metrics.k8s.io/v1beta1/namespaces/, values",
        "/, discovery",
        "/apis, discovery",
        "/apis/, discovery",
        "/apis/external.metrics.k8s.io/v1beta1, discovery",
        "/apisx, other",
        "/openapi/v2, openapi",
        "/openapi/v3/apis/external.metrics.k8s.io/v1beta1, openapi",
        "/healthz, health",
        "/livez/ping, health",
        "/readyz/providers, health",
        "/readyzz, other",
        "/debug/inventory, debug",
        "/metrics, metrics",
        "/metrics/, metrics",
        "/metricsx, other",
        "'', other",
        "/nope, other",
    })
    void of_namesTheRouteKind_fromTheRawPath(String rawPath, String label) {
        assertThat(RouteKind.of(rawPath).label()).isEqualTo(label);
    }
}
