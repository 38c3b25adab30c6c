package io.externalmetrics.adapter.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Item timestamps: RFC 3339 in UTC to the second, the text {@code ISO_INSTANT} writes for every instant. */
class TimestampTest {

    @Test
    void timestamp_isIsoInstantTruncatedToTheSecond_forEdgesAndRandomInstants() {
        List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2026-11-30T23:59:59.999Z"),
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("0001-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("2024-02-29T12:00:00Z"), Instant.MIN,
                Instant.MAX, Instant.ofEpochSecond(-1, 500)));
        Random random = new Random(20261201);
        for (int i = 0; i < 20_000; i++) {
            instants.add(Instant.ofEpochSecond(random.nextLong(-62_200_000_000L, 253_500_000_000L),
                    random.nextInt(1_000_000_000)));
        }

        for (Instant instant : instants) {
            assertThat(ExternalMetricJson.timestamp(instant)).as("%s", instant)
                    .isEqualTo(DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS)));
        }
        assertThat(ExternalMetricJson.timestamp(Instant.parse("2026-12-01T00:05:09.7Z")))
                .isEqualTo("2026-12-01T00:05:09Z");
    }
}
