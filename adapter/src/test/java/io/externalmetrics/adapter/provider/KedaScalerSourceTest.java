package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.proto.keda.GetMetricsResponse;
import io.externalmetrics.proto.keda.MetricSpec;
import io.externalmetrics.proto.keda.MetricValue;
import java.util.List;
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
    void target_isTargetSizeFloatWhenSet_elseTargetSize() {
        assertThat(KedaScalerSource.target(MetricSpec.newBuilder().setTargetSize(10).build())).isEqualTo("10");
        assertThat(KedaScalerSource.target(MetricSpec.newBuilder().setTargetSize(2).setTargetSizeFloat(2.5).build()))
                .isEqualTo("2.5");
    }
}
