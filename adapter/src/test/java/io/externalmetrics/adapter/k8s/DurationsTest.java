package io.externalmetrics.adapter.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "1s, PT1S",
        "500ms, PT0.5S",
        "1.5s, PT1.5S",
        "1m30s, PT1M30S",
        "2h, PT2H",
        "250us, PT0.00025S",
        "10ns, PT0.00000001S",
    })
    void parse_goDurations_areRead(String text, String iso) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "s", "1x", "1s2", "-1s", "1 s", "99999999999999999999h"})
    void parse_nonsense_isRejectedWithTheText(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + text + "\"");
    }

    @ParameterizedTest
    @CsvSource({"PT1S, 1s", "PT0.25S, 250ms", "PT1M30S, 1m30s", "PT1H0.5S, 1h0.5s", "PT0S, 0s", "PT0.000001S, 1us"})
    void format_roundTrips(String iso, String text) {
        assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }
}
