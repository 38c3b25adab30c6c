package io.externalmetrics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServedCountsTest {

    @Test
    void theStatsLineHasTheTotalsTheRefreshSectionParses() {
        var counts = new ServedCounts();
        counts.fetched();
        counts.fetched();
        counts.fired();

        // bench/sections/refresh.sh reads this line with sed: keep its shape
        assertThat(counts.line()).isEqualTo("stats fetches=2 fired=1 sent=0");
    }
}
