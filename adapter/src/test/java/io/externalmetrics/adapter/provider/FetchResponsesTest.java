package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import io.externalmetrics.adapter.cache.Sample;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.proto.v1.FetchResponse;
import io.externalmetrics.proto.v1.Series;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class FetchResponsesTest {

    private static final Instant RECEIVED = Instant.parse("2026-11-25T10:00:00Z");
    private static final ReplyRules RULES = ReplyRules.of(ProviderConfig.of("p", "127.0.0.1:1"));

    private static Series series(Map<String, String> labels, double value) {
        return Series.newBuilder().putAllLabels(labels).setValue(value).build();
    }

    @Test
    void toSample_validReply_keepsValuesTimesAndWindow() {
        FetchResponse reply = FetchResponse.newBuilder()
                .setValue(0.5)
                .addSeries(series(Map.of("some-key", "A", "example.com/zone", ""), 2000))
                .setObservedAt(Timestamp.newBuilder().setSeconds(RECEIVED.getEpochSecond() - 30))
                .setWindow(com.google.protobuf.Duration.newBuilder().setSeconds(60))
                .build();

        Sample sample = FetchResponses.toSample("m", reply, RECEIVED, RULES);

        assertThat(sample.base()).contains("500m");
        assertThat(sample.series()).singleElement().satisfies(p -> {
            assertThat(p.labels()).containsEntry("some-key", "A");
            assertThat(p.quantity()).isEqualTo("2k");
        });
        assertThat(sample.observedAt()).isEqualTo(RECEIVED.minusSeconds(30));
        assertThat(sample.observedByProvider()).isTrue();
        assertThat(sample.window()).contains(Duration.ofSeconds(60));
    }

    @Test
    void toSample_noObservationTime_usesReceiptTime() {
        Sample sample = FetchResponses.toSample("m", FetchResponse.newBuilder().setValue(1).build(), RECEIVED,
                RULES);

        assertThat(sample.observedAt()).isEqualTo(RECEIVED);
        assertThat(sample.observedByProvider()).as("aged from the fetch alone").isFalse();
        assertThat(sample.base()).contains("1");
    }

    @Test
    void toSample_observationInTheFutureWithinTheAllowance_isKept() {
        FetchResponse reply = FetchResponse.newBuilder().setValue(1)
                .setObservedAt(Timestamp.newBuilder().setSeconds(RECEIVED.getEpochSecond() + 30)).build();

        Sample sample = FetchResponses.toSample("m", reply, RECEIVED, RULES);

        assertThat(sample.observedAt()).isEqualTo(RECEIVED.plusSeconds(30));
        assertThat(sample.observedByProvider()).isTrue();
    }

    @Test
    void toSample_observationFurtherAheadThanTheAllowance_isTheReceiptTime_loggedOncePerProvider() {
        FetchResponse ahead = FetchResponse.newBuilder().setValue(1)
                .setObservedAt(Timestamp.newBuilder().setSeconds(RECEIVED.getEpochSecond() + 90).setNanos(250_000_000))
                .build();
        try (LogRecords logs = LogRecords.of(ReplyRules.class.getName())) {
            Sample sample = FetchResponses.toSample("m", ahead, RECEIVED, RULES);
            FetchResponses.toSample("other", ahead, RECEIVED, RULES);

            assertThat(sample.observedAt()).isEqualTo(RECEIVED);
            assertThat(sample.observedByProvider()).isFalse();
            assertThat(logs.atLeast(Level.WARNING)).singleElement().isEqualTo("provider \"p\": metric \"m\" was "
                    + "observed at 2026-11-25T10:01:30Z, 1m30.25s ahead of the adapter's clock, beyond the provider's "
                    + "maxClockSkew of 30s: such values are timestamped and aged from their fetch instead. Check the "
                    + "clocks, or raise maxClockSkew (logged once per provider)");

            FetchResponses.toSample("m", ahead, RECEIVED, ReplyRules.of(ProviderConfig.of("q", "127.0.0.1:1")));
            assertThat(logs.atLeast(Level.WARNING)).hasSize(2).last().asString().startsWith("provider \"q\"");
        }
    }

    @Test
    void toSample_emptyReply_hasNoBaseAndNoSeries() {
        Sample sample = FetchResponses.toSample("m", FetchResponse.getDefaultInstance(), RECEIVED, RULES);

        assertThat(sample.base()).isEmpty();
        assertThat(sample.series()).isEmpty();
    }

    @Test
    void toSample_nonFiniteNumbers_areRejected() {
        assertThatThrownBy(() -> FetchResponses.toSample("m", FetchResponse.newBuilder().setValue(Double.NaN).build(),
                RECEIVED, RULES))
                .isInstanceOf(InvalidReplyException.class)
                .hasMessage("value is NaN; only finite numbers can be served");
        assertThatThrownBy(() -> FetchResponses.toSample("m", FetchResponse.newBuilder()
                .addSeries(series(Map.of("k", "v"), Double.POSITIVE_INFINITY)).build(), RECEIVED, RULES))
                .hasMessageContaining("series 0 {k=v} is Infinity");
    }

    @Test
    void toSample_invalidLabels_areRejected() {
        assertThatThrownBy(() -> FetchResponses.toSample("m", FetchResponse.newBuilder()
                .addSeries(series(Map.of("", "v"), 1)).build(), RECEIVED, RULES))
                .hasMessageContaining("label key \"\"");
        assertThatThrownBy(() -> FetchResponses.toSample("m", FetchResponse.newBuilder()
                .addSeries(series(Map.of("bad key", "v"), 1)).build(), RECEIVED, RULES))
                .hasMessageContaining("label key \"bad key\"");
        assertThatThrownBy(() -> FetchResponses.toSample("m", FetchResponse.newBuilder()
                .addSeries(series(Map.of("k", "-bad"), 1)).build(), RECEIVED, RULES))
                .hasMessageContaining("value \"-bad\"");
        assertThatThrownBy(() -> FetchResponses.toSample("m", FetchResponse.newBuilder()
                .addSeries(series(Map.of("k", "x".repeat(64)), 1)).build(), RECEIVED, RULES))
                .hasMessageContaining("no more than 63 bytes");
    }

    @Test
    void toSample_repeatedLabelsOrTooManySeries_areRejected() {
        assertThatThrownBy(() -> FetchResponses.toSample("m", FetchResponse.newBuilder()
                .addSeries(series(Map.of("k", "a"), 1)).addSeries(series(Map.of("k", "a"), 2)).build(),
                RECEIVED, RULES))
                .hasMessageContaining("series 1 repeats the labels {k=a}");
        var big = FetchResponse.newBuilder();
        for (int i = 0; i < 4; i++) {
            big.addSeries(series(Map.of("i", Integer.toString(i)), i));
        }
        var small = new ReplyRules("p", new ReplyLimits(3, 8), Duration.ZERO);
        assertThatThrownBy(() -> FetchResponses.toSample("m", big.build(), RECEIVED, small))
                .hasMessage("4 series, more than the limit of 3");
    }

    @Test
    void toSample_observationTimeOutsideYears1To9999_isRejected_becauseKubernetesCannotDecodeIt() {
        for (long seconds : new long[] {Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond(),
                Instant.parse("0000-12-31T23:59:59Z").getEpochSecond(), Long.MAX_VALUE, Long.MIN_VALUE}) {
            FetchResponse reply = FetchResponse.newBuilder().setValue(1)
                    .setObservedAt(Timestamp.newBuilder().setSeconds(seconds)).build();
            assertThatThrownBy(() -> FetchResponses.toSample("m", reply, RECEIVED, RULES))
                    .isInstanceOf(InvalidReplyException.class)
                    .hasMessage("observed_at " + seconds + "s is outside years 0001 to 9999");
        }
        for (String edge : new String[] {"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}) {
            Instant at = Instant.parse(edge);
            FetchResponse reply = FetchResponse.newBuilder().setValue(1)
                    .setObservedAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).build();
            assertThat(FetchResponses.toSample("m", reply, at, RULES).observedAt()).isEqualTo(at);
        }
    }
}
