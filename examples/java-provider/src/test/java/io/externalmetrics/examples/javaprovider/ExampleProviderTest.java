package io.externalmetrics.examples.javaprovider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.provider.MetricKey;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.MetricRequest;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Series;
import io.externalmetrics.provider.Value;
import io.externalmetrics.provider.testing.MetricDescription;
import io.externalmetrics.provider.testing.ProviderTester;
import io.externalmetrics.provider.testing.WatchRecording;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExampleProviderTest {

    private static final MetricKey INCREMENTABLE = MetricKey.forAllNamespaces(ExampleProvider.INCREMENTABLE);
    private static final MetricKey PUSHED = MetricKey.forAllNamespaces(ExampleProvider.PUSHED);

    private final ExampleProvider provider = new ExampleProvider();

    @Test
    void someIncrementingMetric_beforeAnyTick_isAllZero() {
        assertThat(provider.someIncrementingMetric(request(ExampleProvider.INCREMENTABLE)))
                .isEqualTo(counters(0, 0, 0));
    }

    @Test
    void someIncrementingMetric_afterThreeTicks_movesEachCounterAsTheSeedDoes() {
        for (int i = 0; i < 3; i++) {
            provider.tick();
        }

        Value value = provider.someIncrementingMetric(request(ExampleProvider.INCREMENTABLE));

        assertThat(value.value()).hasValue(3);
        assertThat(value.series()).containsExactly(
                new Series(Map.of("some-key", "A"), 3),
                new Series(Map.of("some-key", "B"), 15),
                new Series(Map.of("some-key", "C"), -3));
    }

    @Test
    void fetch_overGrpc_returnsTheCountersAfterTicks() {
        try (var tester = ProviderTester.of(provider.register(MetricProviderServer.builder()).build())) {
            provider.tick();
            provider.tick();

            Value value = tester.fetch(INCREMENTABLE);

            assertThat(value.value()).hasValue(2);
            assertThat(value.series()).containsExactly(
                    new Series(Map.of("some-key", "A"), 2),
                    new Series(Map.of("some-key", "B"), 10),
                    new Series(Map.of("some-key", "C"), -2));
            assertThat(value.observedAt()).as("stamped by the SDK when the function returned").isPresent();
        }
    }

    @Test
    void describe_pollsIncrementableEverySecondAndPushesPushed() {
        try (var tester = ProviderTester.of(provider.register(MetricProviderServer.builder()).build())) {
            assertThat(tester.describe()).containsExactly(
                    MetricDescription.interval(INCREMENTABLE, Duration.ofSeconds(1)),
                    MetricDescription.push(PUSHED));
        }
    }

    @Test
    void tick_everyFifth_pushesAnEventAndANewValue() {
        try (var tester = ProviderTester.of(provider.register(MetricProviderServer.builder()).build());
                WatchRecording events = tester.watch(PUSHED)) {
            assertThat(events.awaitEvents(1)).as("the opening event").containsExactly(PUSHED);

            for (int i = 0; i < ExampleProvider.TICKS_PER_PUSH; i++) {
                provider.tick();
            }

            assertThat(events.awaitEvents(2)).containsExactly(PUSHED, PUSHED);
            assertThat(tester.fetch(PUSHED).value()).hasValue(1);
        }
    }

    @Test
    void options_defaultsAndOverrides() {
        assertThat(Options.parse()).isEqualTo(Options.DEFAULTS);
        assertThat(Options.parse("--port", "0", "--address=0.0.0.0"))
                .isEqualTo(new Options("0.0.0.0", 0, false, Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(Options.parse("--tls-cert", "tls.crt", "--tls-key=tls.key", "--client-ca", "ca.crt"))
                .isEqualTo(new Options("127.0.0.1", 50051, false, Optional.of(Path.of("tls.crt")),
                        Optional.of(Path.of("tls.key")), Optional.of(Path.of("ca.crt"))));
        assertThat(Options.parse("--help").help()).isTrue();
    }

    @Test
    void options_badArguments_failNamingThem() {
        assertThatThrownBy(() -> Options.parse("--port", "http"))
                .hasMessage("--port must be a number from 0 to 65535, got \"http\"");
        assertThatThrownBy(() -> Options.parse("--port"))
                .hasMessage("--port needs a value");
        assertThatThrownBy(() -> Options.parse("--verbose"))
                .hasMessage("unknown argument: --verbose");
        assertThatThrownBy(() -> Options.parse("--tls-cert", "tls.crt"))
                .hasMessage("--tls-cert and --tls-key go together");
        assertThatThrownBy(() -> Options.parse("--client-ca", "ca.crt"))
                .hasMessage("--client-ca needs --tls-cert and --tls-key");
    }

    private static MetricRequest request(String name) {
        return MetricRequest.of(Namespace.ALL, name);
    }

    private static Value counters(long a, long b, long c) {
        return Value.of(a).withSelector("some-key", "A", a).withSelector("some-key", "B", b)
                .withSelector("some-key", "C", c);
    }
}
