package io.externalmetrics.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ValueTest {

    @Test
    void of_withSelectors_keepsBaseAndSeriesInOrder() {
        Value value = Value.of(3).withSelector("some-key", "A", 3).withSelector("some-key", "B", 15);

        assertThat(value.value()).isEqualTo(OptionalDouble.of(3));
        assertThat(value.series()).containsExactly(
                new Series(Map.of("some-key", "A"), 3),
                new Series(Map.of("some-key", "B"), 15));
        assertThat(value.observedAt()).isEmpty();
        assertThat(value.window()).isEmpty();
    }

    @Test
    void empty_hasNoBaseValueAndNoSeries() {
        assertThat(Value.empty().value()).isEmpty();
        assertThat(Value.empty().series()).isEmpty();
        assertThat(Value.empty().withSelector("k", "v", 1).value()).isEmpty();
    }

    @Test
    void withSeries_fullLabelMap_isCopiedAndSorted() {
        var labels = new HashMap<>(Map.of("zone", "eu-1", "example.com/queue", "orders", "empty", ""));
        Value value = Value.empty().withSeries(labels, 2.5);
        labels.put("zone", "changed");

        assertThat(value.series().getFirst().labels())
                .containsExactly(Map.entry("empty", ""), Map.entry("example.com/queue", "orders"),
                        Map.entry("zone", "eu-1"));
    }

    @Test
    void withMethods_leaveTheOriginalUnchanged() {
        Value base = Value.of(1);
        Value derived = base.withSelector("k", "v", 2).observedAt(Instant.EPOCH)
                .window(Duration.ofSeconds(60));

        assertThat(base).isEqualTo(Value.of(1));
        assertThat(derived.observedAt()).contains(Instant.EPOCH);
        assertThat(derived.window()).contains(Duration.ofSeconds(60));
    }

    @Test
    void of_nan_failsNamingTheArgument() {
        assertThatThrownBy(() -> Value.of(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("number must be a finite number, got NaN");
    }

    @Test
    void withSelector_infiniteNumber_failsNamingTheArgument() {
        assertThatThrownBy(() -> Value.empty().withSelector("k", "v", Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("number must be a finite number");
    }

    @Test
    void series_nan_failsNamingTheArgument() {
        assertThatThrownBy(() -> new Series(Map.of(), Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("value must be a finite number");
    }

    @Test
    void withSelector_badKey_failsNamingTheArgumentAndKey() {
        assertThatThrownBy(() -> Value.of(1).withSelector("some key", "A", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("key: \"some key\" is not a valid Kubernetes label key");
    }

    @Test
    void withSelector_badKeys_areRejected() {
        for (String key : List.of("", "-a", "a-", "a".repeat(64), "Example.com/a", "/a", "a/",
                "x".repeat(254) + "/a", "a/b/c")) {
            assertThatThrownBy(() -> Value.of(1).withSelector(key, "v", 1))
                    .as("key %s", key)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("key: ");
        }
    }

    @Test
    void withSelector_goodKeysAndValues_areAccepted() {
        Value value = Value.empty()
                .withSelector("a", "", 1)
                .withSelector("A.b_c-9", "v".repeat(63), 2)
                .withSelector("sub.example.com/name", "x.Y_z-1", 3);

        assertThat(value.series()).hasSize(3);
    }

    @Test
    void withSelector_badValue_failsNamingTheArgument() {
        assertThatThrownBy(() -> Value.of(1).withSelector("k", "a b", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("value: \"a b\" is not a valid Kubernetes label value");
        assertThatThrownBy(() -> Value.of(1).withSelector("k", "v".repeat(64), 1))
                .hasMessageStartingWith("value: ");
    }

    @Test
    void withSeries_badKeyInMap_failsNamingTheArgument() {
        assertThatThrownBy(() -> Value.of(1).withSeries(Map.of("ok", "1", "not ok", "2"), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("labels: \"not ok\" is not a valid Kubernetes label key");
    }

    @Test
    void withSeries_duplicateLabels_isRejected() {
        Value value = Value.of(1).withSelector("some-key", "A", 1);

        assertThatThrownBy(() -> value.withSeries(Map.of("some-key", "A"), 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("{some-key=A}")
                .hasMessageContaining("already present");
        assertThatThrownBy(() -> Value.empty().withSeries(List.of(
                new Series(Map.of("a", "1"), 1), new Series(Map.of("a", "1"), 2))))
                .hasMessageContaining("already present");
    }

    @Test
    void window_notPositive_isRejected() {
        assertThatThrownBy(() -> Value.of(1).window(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("window must be positive");
    }

    @Test
    void equalsHashCodeToString_coverEveryField() {
        Value a = Value.of(1).withSelector("k", "v", 2).observedAt(Instant.EPOCH);
        Value b = Value.of(1).withSelector("k", "v", 2).observedAt(Instant.EPOCH);

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(Value.of(1).withSelector("k", "v", 2));
        assertThat(Value.empty()).isNotEqualTo(Value.of(0));
        assertThat(a).hasToString(
                "Value[value=1.0, series=[{k=v}=2.0], observedAt=1970-01-01T00:00:00Z]");
    }
}
