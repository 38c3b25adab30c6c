package io.externalmetrics.adapter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code providers[].protocol} and the metrics of a KEDA external scaler, as written in the file. */
class KedaScalerConfigTest {

    @Test
    void parse_protocol_isMetricProviderUnlessWritten() {
        AdapterConfig config = ConfigLoader.parse("""
                providers:
                  - {name: a, target: "127.0.0.1:1"}
                  - {name: b, target: "127.0.0.1:2", protocol: metricProvider}
                """);

        assertThat(config.providers()).extracting(ProviderConfig::protocol)
                .containsExactly(ProviderProtocol.METRIC_PROVIDER, ProviderProtocol.METRIC_PROVIDER);
    }

    @Test
    void parse_kedaExternalScaler_readsEachMetricsScaledObjectRefAndScalerMetricName() {
        ProviderConfig rabbit = ConfigLoader.parse("""
                providers:
                  - name: rabbit
                    protocol: kedaExternalScaler
                    target: 127.0.0.1:9090
                    metrics:
                      - name: queue-lag
                        interval: 5s
                        scaledObjectRef:
                          {name: orders, namespace: shop, scalerMetadata: {queueName: orders, n: "010", e: ""}}
                        scalerMetricName: s0-rabbitmq-orders
                      - name: depth
                        namespace: shop
                        scaledObjectRef: {name: orders}
                """).providers().getFirst();

        assertThat(rabbit.protocol()).isEqualTo(ProviderProtocol.KEDA_EXTERNAL_SCALER);
        assertThat(rabbit.metrics().get(0).scaler()).contains(new ScalerMetric("orders", "shop",
                Map.of("queueName", "orders", "n", "010", "e", ""), Optional.of("s0-rabbitmq-orders")));
        assertThat(rabbit.metrics().get(1).scaler()).as("the metric's namespace, no metadata, GetMetricSpec's name")
                .contains(new ScalerMetric("orders", "shop", Map.of(), Optional.empty()));
    }

    @Test
    void parse_unknownProtocol_listsTheKnownOnes() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers:
                  - {name: up, target: "127.0.0.1:1", protocol: externalMetricsAPI}
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].protocol: \"externalMetricsAPI\" is not a known protocol (known: "
                        + "metricProvider, kedaExternalScaler, externalMetricsApi)");
    }

    @Test
    void parse_scalerFieldsOnTheWrongProtocol_orMissing_areNamed() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers:
                  - name: p
                    target: "127.0.0.1:1"
                    metrics: [{name: m, scaledObjectRef: {name: o}}]
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].metrics[0].scaledObjectRef: scaledObjectRef and scalerMetricName are "
                        + "only meaningful with protocol: kedaExternalScaler");
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers:
                  - name: p
                    protocol: kedaExternalScaler
                    target: "127.0.0.1:1"
                    metrics: [{name: m, interval: 1s}]
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].metrics[0].scaledObjectRef: scaledObjectRef is required with protocol: "
                        + "kedaExternalScaler");
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers:
                  - {name: p, protocol: kedaExternalScaler, target: "127.0.0.1:1"}
                """)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("providers[0].metrics: required with protocol: kedaExternalScaler");
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers:
                  - name: p
                    protocol: kedaExternalScaler
                    target: "127.0.0.1:1"
                    metrics: [{name: m, scalerMetricName: x}]
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].metrics[0].scalerMetricName: only meaningful beside a scaledObjectRef, in a "
                        + "provider with protocol: kedaExternalScaler");
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers:
                  - name: p
                    protocol: kedaExternalScaler
                    target: "127.0.0.1:1"
                    metrics: [{name: m, scaledObjectRef: {namespace: shop}}]
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].metrics[0].scaledObjectRef.name: required");
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers:
                  - name: p
                    protocol: kedaExternalScaler
                    target: "127.0.0.1:1"
                    metrics: [{name: m, scaledObjectRef: {name: o, scalerMetadata: [a]}}]
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].metrics[0].scaledObjectRef.scalerMetadata: expected a mapping of keys "
                        + "to values");
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers:
                  - name: p
                    protocol: kedaExternalScaler
                    target: "127.0.0.1:1"
                    metrics: [{name: m, scaledObjectRef: {name: o, scalerMetadata: {size: 010}}}]
                """)).isInstanceOf(ConfigException.class)
                .as("YAML reads 010 as 8: refused, not rewritten")
                .hasMessage("providers[0].metrics[0].scaledObjectRef.scalerMetadata.size: expected a string; quote "
                        + "the value: scaler metadata goes to the scaler verbatim, and YAML reads an unquoted 010 as 8 "
                        + "and yes as true");
    }
}
