package com.example.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.provider.MetricKey;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Series;
import io.externalmetrics.provider.testing.MetricDescription;
import io.externalmetrics.provider.testing.ProviderTester;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueProviderTest {

    private static final MetricKey QUEUE_DEPTH = MetricKey.forAllNamespaces(QueueProvider.QUEUE_DEPTH);

    private final QueueProvider provider = new QueueProvider();

    @Test
    void queueDepth_countsJobsInTotalAndPerPriority() {
        provider.add(new QueueProvider.Job("a", true));
        provider.add(new QueueProvider.Job("b", false));
        provider.add(new QueueProvider.Job("c", false));

        try (var tester = ProviderTester.of(provider.register(MetricProviderServer.builder()).build())) {
            var value = tester.fetch(QUEUE_DEPTH);

            assertThat(value.value()).hasValue(3);
            assertThat(value.series()).containsExactly(
                    new Series(Map.of("priority", "high"), 1),
                    new Series(Map.of("priority", "low"), 2));
            assertThat(value.observedAt()).isPresent();
        }
    }

    @Test
    void describe_pollsEveryFiveSeconds() {
        try (var tester = ProviderTester.of(provider.register(MetricProviderServer.builder()).build())) {
            assertThat(tester.describe()).containsExactly(
                    MetricDescription.interval(QUEUE_DEPTH, Duration.ofSeconds(5)));
        }
    }
}
