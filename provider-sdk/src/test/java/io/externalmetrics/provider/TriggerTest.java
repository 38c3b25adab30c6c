package io.externalmetrics.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TriggerTest {

    @Test
    void every_notPositive_isRejected() {
        assertThatThrownBy(() -> Trigger.every(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("interval must be positive, got PT0S");
        assertThatThrownBy(() -> Trigger.every(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void every_positive_describesItself() {
        assertThat(Trigger.every(Duration.ofSeconds(1))).hasToString("every PT1S");
    }

    @Test
    void fire_withoutRegistration_isANoOp() {
        assertThatCode(() -> Trigger.onEvent().fire()).doesNotThrowAnyException();
    }
}
