package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.config.MetricConfig;
import io.externalmetrics.proto.keda.GetMetricsResponse;
import io.externalmetrics.proto.keda.MetricSpec;
import io.externalmetrics.proto.keda.MetricValue;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How a KEDA scaler's replies are read, as KEDA reads them. */
class KedaScalerSourceTest {

    private static MetricValue value(String name, long whole, double floating) {
        return MetricValue.newBuilder().setMetricName(name).setMetricValue(whole).setMetricValueFloat(floating).build();
    }

    private static double read(String name, MetricValue... values) {
        return KedaScalerSource.toFetchResponse(name, GetMetricsResponse.newBuilder().addAllMetricValues(
                List.of(values)).build()).getValue();
    }

    @Test
    void toFetchResponse_metricValueFloatWins_whenAboveZero_elseMetricValue_asKedaReadsThem() {
        assertThat(read("m", value("m", 3, 0.25))).isEqualTo(0.25);
        assertThat(read("m", value("m", 3, -1.5))).as("KEDA: the float only when > 0").isEqualTo(3);
        assertThat(read("m", value("m", 3, 0))).isEqualTo(3);
    }

    @Test
    void toFetchResponse_takesTheValueOfTheAskedName_elseTheOnlyOne() {
        assertThat(read("b", value("a", 1, 0), value("b", 2, 0))).isEqualTo(2);
        assertThat(read("asked", value("renamed", 7, 0))).isEqualTo(7);
        assertThatThrownBy(() -> read("c", value("a", 1, 0), value("b", 2, 0)))
                .isInstanceOf(InvalidReplyException.class)
                .hasMessage("GetMetrics returned no value named \"c\" among 2 values");
        assertThatThrownBy(() -> read("c")).isInstanceOf(InvalidReplyException.class)
                .hasMessage("GetMetrics returned no metric values");
    }

    @Test
    void describe_aNameGetMetricSpecDoesNotList_namesTheFirstTenListedAndCountsTheRest() {
        MetricConfig metric = ConfigLoader.parse("""
                providers:
                  - name: rabbit
                    protocol: kedaExternalScaler
                    target: 127.0.0.1:9090
                    metrics:
                      - {name: queue-lag, namespace: shop, scaledObjectRef: {name: orders}, scalerMetricName: gone}
                """).providers().getFirst().metrics().getFirst();
        List<MetricSpec> specs = IntStream.range(0, 12)
                .mapToObj(i -> MetricSpec.newBuilder().setMetricName("m" + i).setTargetSize(i).build()).toList();

        String line = KedaScalerSource.describe(metric, Optional.of("gone"), specs);

        assertThat(line).isEqualTo("metric shop/queue-lag is scaler metric \"gone\", which GetMetricSpec does not list "
                + "[\"m0\" target 0, \"m1\" target 1, \"m2\" target 2, \"m3\" target 3, \"m4\" target 4, "
                + "\"m5\" target 5, \"m6\" target 6, \"m7\" target 7, \"m8\" target 8, \"m9\" target 9 and 2 more]");
        assertThat(KedaScalerSource.describe(metric, Optional.of("gone"), specs.subList(0, 2)))
                .endsWith("does not list [\"m0\" target 0, \"m1\" target 1]");
    }

    @Test
    void target_isTargetSizeFloatWhenSet_elseTargetSize() {
        assertThat(KedaScalerSource.target(MetricSpec.newBuilder().setTargetSize(10).build())).isEqualTo("10");
        assertThat(KedaScalerSource.target(MetricSpec.newBuilder().setTargetSize(2).setTargetSizeFloat(2.5).build()))
                .isEqualTo("2.5");
    }
}
