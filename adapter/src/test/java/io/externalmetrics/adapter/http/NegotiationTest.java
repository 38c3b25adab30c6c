package io.externalmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NegotiationTest {

    @Test
    void acceptsJson_whatKubernetesClientsSend_isTrue() {
        assertThat(Negotiation.acceptsJson("application/vnd.kubernetes.protobuf, */*")).isTrue();
        assertThat(Negotiation.acceptsJson("application/json, */*")).isTrue();
        assertThat(Negotiation.acceptsJson(
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")).isTrue();
        assertThat(Negotiation.acceptsJson(null)).isTrue();
        assertThat(Negotiation.acceptsJson("")).isTrue();
        assertThat(Negotiation.acceptsJson("Application/JSON")).isTrue();
    }

    @Test
    void acceptsJson_protobufOnly_isFalse() {
        assertThat(Negotiation.acceptsJson("application/vnd.kubernetes.protobuf")).isFalse();
        assertThat(Negotiation.acceptsJson("text/html")).isFalse();
    }
}
