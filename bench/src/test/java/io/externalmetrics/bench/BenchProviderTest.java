package io.externalmetrics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.provider.Series;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchProviderTest {

    @Test
    void seriesHaveAUniqueShardAndGroupsOfTen() {
        var value = BenchProvider.value(1_000, 3);

        assertThat(value.series()).hasSize(1_000);
        assertThat(value.series().get(17).labels())
                .isEqualTo(Map.of("shard", "17", "group", "1", "label-2", "value-3"));
        assertThat(value.series().stream().map(Series::labels).filter(labels -> labels.get("group").equals("7")))
                .hasSize(BenchProvider.GROUP_SIZE);
    }

    @Test
    void oneLabelIsTheShardAlone() {
        assertThat(BenchProvider.labels(5, 1)).isEqualTo(Map.of("shard", "5"));
    }
}
