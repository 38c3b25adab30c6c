package io.externalmetrics.adapter.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.TriggerSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The records hold the same rules as the loader, for callers that build them without a file. */
class ProviderConfigTest {

    private static final ProviderConfig DEFAULTS = ProviderConfig.of("a", "127.0.0.1:1");

    private static MetricConfig metric(String namespace, String name) {
        return new MetricConfig(namespace, name, new TriggerSpec.Push(), Optional.empty(), OnErrorPolicy.error());
    }

    private static ProviderConfig with(List<MetricConfig> metrics, int maxSeries, Duration keepAlive,
                                       Duration maxClockSkew) {
        return new ProviderConfig("a", DEFAULTS.target(), DEFAULTS.deadline(), metrics, DEFAULTS.retry(), maxSeries,
                DEFAULTS.maxLabelsPerSeries(), DEFAULTS.maxReplyBytes(), keepAlive, maxClockSkew, Optional.empty());
    }

    @Test
    void constructor_rejectsWhatTheLoaderRejects_namingProviderAndField() {
        Duration keepAlive = DEFAULTS.keepAlive();
        Duration skew = DEFAULTS.maxClockSkew();
        assertThatThrownBy(() -> with(List.of(), 0, keepAlive, skew))
                .hasMessage("provider \"a\": maxSeries: must be at least 1, got 0");
        assertThatThrownBy(() -> with(List.of(), 1, Duration.ofSeconds(5), skew))
                .hasMessage("provider \"a\": keepAlive: 5s is shorter than the minimum of 10s");
        assertThatThrownBy(() -> with(List.of(), 1, keepAlive, Duration.ofHours(2)))
                .hasMessageStartingWith("provider \"a\": maxClockSkew: 2h is longer than the limit of 1h");
        assertThatThrownBy(() -> with(List.of(metric("*", "m"), metric("x", "m"), metric("*", "M")), 1, keepAlive,
                skew))
                .hasMessage("provider \"a\": metrics[2]: metric \"M\" in namespace \"*\" is listed twice (as \"m\" "
                        + "in metrics[0]; metric names match ignoring case)");
    }

    @Test
    void metricConfig_rejectsABadNamespaceOrName() {
        assertThatThrownBy(() -> metric("Not_A_Namespace", "m"))
                .hasMessage("\"Not_A_Namespace\" is neither \"*\" nor a Kubernetes namespace name (a DNS-1123 label)");
        assertThatThrownBy(() -> metric("*", "a/b")).hasMessageContaining("cannot appear in a URL path segment");
    }
}
