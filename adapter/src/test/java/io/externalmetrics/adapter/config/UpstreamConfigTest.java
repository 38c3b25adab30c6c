package io.externalmetrics.adapter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code protocol: externalMetricsApi}: another external-metrics server behind the adapter, as written in the file. */
class UpstreamConfigTest {

    @Test
    void parse_externalMetricsApi_readsItsSettings_withDefaults(@TempDir Path dir) {
        Path token = TestPki.write(dir, "token", "a-token");
        ProviderConfig upstream = ConfigLoader.parse("""
                providers:
                  - name: upstream
                    protocol: externalMetricsApi
                    target: https://keda-operator-metrics-apiserver.keda.svc:443
                    insecureSkipTLSVerify: true
                    tokenFile: %s
                    forward: ["s0-*", "queue-?", exact]
                    interval: 5s
                    onError: lastKnownGood
                  - name: defaults
                    protocol: externalMetricsApi
                    target: https://other:6443
                    forward: [x]
                """.formatted(token)).providers().getFirst();

        assertThat(upstream.upstream()).contains(new UpstreamConfig(List.of("s0-*", "queue-?", "exact"),
                Duration.ofSeconds(5), Duration.ofMinutes(10), 10_000, Duration.ofSeconds(15),
                new OnErrorPolicy.LastKnownGood(Duration.ofMinutes(5)),
                Optional.of(token), true));
    }

    @Test
    void matches_manyWildcardsAgainstALongName_answersAtOnce() {
        String name = "a".repeat(253);

        boolean matched = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> UpstreamConfig.matches("*a*a*a*a*a*a*a*a*b", name));

        assertThat(matched).isFalse();
        assertThat(UpstreamConfig.matches("*a*a*a*a*a*a*a*a*", name)).isTrue();
        assertThat(UpstreamConfig.matches("s*-*-lag", "s0-orders-x-lag")).isTrue();
        assertThat(UpstreamConfig.matches("s*-*-lag", "s0-orders-lag-x")).isFalse();
        assertThat(UpstreamConfig.matches("a*?c", "abbc")).isTrue();
        assertThat(UpstreamConfig.matches("a*?c", "ac")).isFalse();
    }

    @Test
    void matches_globs_caseSensitively() {
        assertThat(UpstreamConfig.matches("s0-*", "s0-rabbitmq-orders")).isTrue();
        assertThat(UpstreamConfig.matches("s0-*", "s0-")).isTrue();
        assertThat(UpstreamConfig.matches("s0-*", "S0-x")).isFalse();
        assertThat(UpstreamConfig.matches("queue-?", "queue-a")).isTrue();
        assertThat(UpstreamConfig.matches("queue-?", "queue-ab")).isFalse();
        assertThat(UpstreamConfig.matches("*-lag", "orders-lag")).isTrue();
        assertThat(UpstreamConfig.matches("exact", "exact2")).isFalse();
    }

    @Test
    void parse_caFileAndInsecureSkipTlsVerify_areExclusive(@TempDir Path dir) {
        Path ca = TestPki.ca("upstream-ca").writeCertificate(dir.resolve("ca.crt"));

        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers:
                  - name: upstream
                    protocol: externalMetricsApi
                    target: https://h
                    forward: [x]
                    insecureSkipTLSVerify: true
                    tls: {caFile: %s}
                """.formatted(ca)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("providers[0].insecureSkipTLSVerify: give either tls.caFile or "
                        + "insecureSkipTLSVerify: true, not both");
    }

    @Test
    void parse_tokenFileThatCannotBeRead_isNamedAtLoad(@TempDir Path dir) {
        String provider = """
                providers:
                  - name: upstream
                    protocol: externalMetricsApi
                    target: https://h
                    forward: [x]
                    tokenFile: %s
                """;

        assertThatThrownBy(() -> ConfigLoader.parse(provider.formatted(dir.resolve("missing"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].tokenFile: " + dir.resolve("missing") + " is not a readable file");
        assertThatThrownBy(() -> ConfigLoader.parse(provider.formatted(dir)))
                .hasMessage("providers[0].tokenFile: " + dir + " is not a readable file");
    }

    @Test
    void parse_mistakes_areNamed() {
        String provider = """
                providers:
                  - name: up
                    protocol: externalMetricsApi
                    target: %s
                    forward: %s
                """;
        assertThatThrownBy(() -> ConfigLoader.parse(provider.formatted("127.0.0.1:443", "[x]")))
                .hasMessageStartingWith("providers[0].target: with protocol: externalMetricsApi, an https://host:port");
        assertThatThrownBy(() -> ConfigLoader.parse(provider.formatted("https://h/apis", "[x]")))
                .hasMessageStartingWith("providers[0].target: with protocol: externalMetricsApi");
        assertThatThrownBy(() -> ConfigLoader.parse(provider.formatted("https://h", "[]")))
                .hasMessageStartingWith("providers[0].forward: required with protocol: externalMetricsApi");
        assertThatThrownBy(() -> ConfigLoader.parse(provider.formatted("https://h", "['*']")))
                .hasMessageStartingWith("providers[0].forward[0]: \"*\" is not a metric name or glob");
        assertThatThrownBy(() -> ConfigLoader.parse(provider.formatted("https://h", "[x]")
                + "    metrics: [{name: x}]\n"))
                .hasMessageStartingWith("providers[0].metrics: not used with protocol: externalMetricsApi");
        assertThatThrownBy(() -> ConfigLoader.parse(provider.formatted("https://h", "[x]")
                + "    retry: {initial: 1s}\n"))
                .hasMessageStartingWith("providers[0].retry: not used with protocol: externalMetricsApi");
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers: [{name: a, target: "127.0.0.1:1", forward: [x]}]
                """)).hasMessage("providers[0].forward: only meaningful with protocol: externalMetricsApi");
    }

    @Test
    void parse_literalForwardedName_clashingWithANativeMetric_isAnError_aGlobIsNot() {
        String config = """
                providers:
                  - name: native
                    target: 127.0.0.1:1
                    metrics: [{name: Queue-Lag, namespace: shop}]
                  - name: upstream
                    protocol: externalMetricsApi
                    target: https://h
                    forward: [%s]
                """;

        assertThatThrownBy(() -> ConfigLoader.parse(config.formatted("queue-lag")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("provider \"upstream\" forwards metric \"queue-lag\", which provider \"native\" serves "
                        + "(namespace \"shop\"); a metric name is answered by one provider");
        assertThat(ConfigLoader.parse(config.formatted("queue-*")).providers()).hasSize(2);
    }
}
