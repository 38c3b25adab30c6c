package io.externalmetrics.adapter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.TriggerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void parse_smallestConfig_usesDefaults() {
        AdapterConfig config = ConfigLoader.parse("""
                providers:
                  - name: example
                    target: 127.0.0.1:50051
                """);

        assertThat(config.server()).isEqualTo(ServerConfig.defaults());
        assertThat(config.server().port()).isEqualTo(6443);
        assertThat(config.providers()).containsExactly(ProviderConfig.of("example", "127.0.0.1:50051"));
        assertThat(config.providers().getFirst().retry()).isEqualTo(RetryConfig.DEFAULTS);
        assertThat(config.providers().getFirst().maxSeries()).isEqualTo(10_000);
        assertThat(config.providers().getFirst().maxReplyBytes()).isEqualTo(64 * 1024 * 1024);
        assertThat(config.providers().getFirst().keepAlive()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.providers().getFirst().maxClockSkew()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void parse_fullConfig_readsEveryField() {
        AdapterConfig config = ConfigLoader.parse("""
                server:
                  address: 127.0.0.1
                  port: 8443
                  tls:
                    certFile: /etc/em/tls.crt
                    keyFile: /etc/em/tls.key
                  dnsNames: [externalmetrics, externalmetrics.monitoring.svc]
                providers:
                  - name: example
                    target: 127.0.0.1:50051
                    deadline: 1500ms
                    retry: {initial: 100ms, max: 5s}
                    maxSeries: 100
                    maxLabelsPerSeries: 8
                    maxReplyBytes: 1048576
                    keepAlive: 30s
                    maxClockSkew: 2m
                    metrics:
                      - namespace: "*"
                        name: incrementable
                        interval: 1s
                        maxAge: 3s
                        onError: error
                      - namespace: default
                        name: pushed
                        push: true
                        onError: lastKnownGood
                        lastKnownGoodFor: 10m
                      - name: fallback
                        onError: static
                        staticValue: "1.5"
                """);

        assertThat(config.server()).isEqualTo(new ServerConfig("127.0.0.1", 8443,
                Optional.of(new TlsFiles(Path.of("/etc/em/tls.crt"), Path.of("/etc/em/tls.key"))),
                List.of("externalmetrics", "externalmetrics.monitoring.svc")));
        ProviderConfig provider = config.providers().getFirst();
        assertThat(provider.deadline()).isEqualTo(Duration.ofMillis(1500));
        assertThat(provider.retry()).isEqualTo(new RetryConfig(Duration.ofMillis(100), Duration.ofSeconds(5)));
        assertThat(provider.maxSeries()).isEqualTo(100);
        assertThat(provider.maxLabelsPerSeries()).isEqualTo(8);
        assertThat(provider.maxReplyBytes()).isEqualTo(1_048_576);
        assertThat(provider.keepAlive()).isEqualTo(Duration.ofSeconds(30));
        assertThat(provider.maxClockSkew()).isEqualTo(Duration.ofMinutes(2));
        assertThat(provider.metrics()).containsExactly(
                new MetricConfig("*", "incrementable", new TriggerSpec.Interval(Duration.ofSeconds(1)),
                        Optional.of(Duration.ofSeconds(3)), new OnErrorPolicy.Error()),
                new MetricConfig("default", "pushed", new TriggerSpec.Push(), Optional.empty(),
                        new OnErrorPolicy.LastKnownGood(Duration.ofMinutes(10))),
                new MetricConfig("*", "fallback", new TriggerSpec.Interval(TriggerSpec.DEFAULT_INTERVAL),
                        Optional.empty(), new OnErrorPolicy.Static("1500m")));
    }

    @Test
    void parse_logFormat_isTextUnlessJson_andAnythingElseIsNamed() {
        String providers = "providers: [{name: a, target: 'x:1'}]\n";

        assertThat(ConfigLoader.parse(providers).logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(ConfigLoader.parse("logFormat: text\n" + providers).logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(ConfigLoader.parse("logFormat: json\n" + providers).logFormat()).isEqualTo(LogFormat.JSON);
        assertThatThrownBy(() -> ConfigLoader.parse("logFormat: JSON-lines\n" + providers))
                .isInstanceOf(ConfigException.class)
                .hasMessage("logFormat: \"JSON-lines\" is not a log format (known: text, json)");
    }

    @Test
    void parse_unknownKey_namesItAndItsPlace() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers:
                  - name: example
                    target: 127.0.0.1:50051
                    metrics:
                      - name: m
                        intervall: 1s
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("providers[0].metrics[0]: unknown key \"intervall\"");
    }

    @Test
    void parse_missingTarget_namesTheField() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers:
                  - name: example
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].target: required");
    }

    @Test
    void parse_noProviders_isRejected() {
        assertThatThrownBy(() -> ConfigLoader.parse("server:\n  port: 1\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("providers: required");
        assertThatThrownBy(() -> ConfigLoader.parse("providers: []\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("at least one provider");
    }

    @Test
    void parse_shutdownGrace_defaultsToTenSecondsAndIsChecked() {
        String provider = "providers: [{name: a, target: 'x:1'}]\n";
        assertThat(ConfigLoader.parse(provider).server().shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(ConfigLoader.parse("server: {shutdownGrace: 2500ms}\n" + provider).server().shutdownGrace())
                .isEqualTo(Duration.ofMillis(2500));
        assertThatThrownBy(() -> ConfigLoader.parse("server: {shutdownGrace: later}\n" + provider))
                .hasMessageContaining("server.shutdownGrace: \"later\" is not a duration");
        assertThatThrownBy(() -> ConfigLoader.parse("server: {shutdownGrace: 0s}\n" + provider))
                .hasMessageContaining("server.shutdownGrace: must be positive");
        assertThatThrownBy(() -> ConfigLoader.parse("server: {shutdownGrace: 1h}\n" + provider))
                .hasMessageContaining("server.shutdownGrace: 1h is longer than the limit of 10m");
    }

    @Test
    void parse_badValues_sayWhatIsWrong() {
        assertThatThrownBy(() -> ConfigLoader.parse("server: {port: 70000}\nproviders: [{name: a, target: 'x:1'}]"))
                .hasMessageContaining("server.port: 70000 is not a port number");
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: a, target: 'x:1', deadline: soon}]"))
                .hasMessageContaining("providers[0].deadline: \"soon\" is not a duration");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "providers: [{name: a, target: 'x:1', metrics: [{name: m, onError: panic}]}]"))
                .hasMessageContaining(
                        "providers[0].metrics[0].onError: \"panic\" is not one of error, lastKnownGood, static");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "providers: [{name: a, target: 'x:1', metrics: [{name: m, onError: static}]}]"))
                .hasMessageContaining("providers[0].metrics[0].staticValue: required with onError: static");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "providers: [{name: a, target: 'x:1', metrics: [{name: m, onError: static, staticValue: lots}]}]"))
                .hasMessageContaining("\"lots\" is not a Kubernetes quantity");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "providers: [{name: a, target: 'x:1', metrics: [{name: m, interval: 1s, push: true}]}]"))
                .hasMessageContaining("either interval or push");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "providers: [{name: a, target: 'x:1', metrics: [{namespace: Default, name: m}]}]"))
                .hasMessageContaining("providers[0].metrics[0].namespace: \"Default\" is neither");
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: a, target: 'x:1', metrics: [{name: a/b}]}]"))
                .hasMessageContaining("providers[0].metrics[0].name: metric name \"a/b\" contains '/'");
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: a, target: 'x:1'}, {name: a, target: 'y:1'}]"))
                .hasMessageContaining("the name \"a\" is used twice");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "providers: [{name: a, target: 'x:1', metrics: [{name: m}, {name: m}]}]"))
                .hasMessageContaining("metric \"m\" in namespace \"*\" is listed twice");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "providers: [{name: a, target: 'x:1', retry: {initial: 2s, max: 1s}}]"))
                .hasMessageContaining("providers[0].retry: retry.max (1s) must not be below retry.initial (2s)");
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: a, target: 'x:1', maxSeries: 0}]"))
                .hasMessageContaining("providers[0].maxSeries: must be at least 1");
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: a, target: 'x:1', maxReplyBytes: 0}]"))
                .hasMessageContaining("providers[0].maxReplyBytes: must be at least 1");
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: a, target: 'x:1', maxReplyBytes: 64Mi}]"))
                .hasMessageContaining("providers[0].maxReplyBytes: expected a whole number");
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: a, target: 'x:1', maxReplyBytes: 4294967296}]"))
                .hasMessageContaining("providers[0].maxReplyBytes: 4294967296 is more than 2147483647");
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: a, target: 'x:1', keepAlive: 5s}]"))
                .hasMessageContaining("providers[0].keepAlive: 5s is shorter than the minimum of 10s");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "providers: [{name: a, target: 'x:1', metrics: [{name: m}]}, "
                        + "{name: b, target: 'y:1', metrics: [{name: M}]}]"))
                .hasMessageContaining("providers \"a\" and \"b\" both configure metric \"M\"");
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: 'a b', target: 'x:1'}]"))
                .hasMessageContaining("providers[0].name: \"a b\" must be");
    }

    @Test
    void parse_targetGrpcCannotUse_namesTheField() {
        for (String target : List.of("foo bar:1", "http://127.0.0.1:50051", "ipv4:127.0.0.1:50051")) {
            assertThatThrownBy(() -> ConfigLoader.parse(
                    "providers: [{name: a, target: '127.0.0.1:1'}, {name: b, target: '" + target + "'}]"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("providers[1].target: \"" + target + "\" is not a target gRPC can use")
                    .hasMessageContaining("host:port");
        }
    }

    @Test
    void parse_hostWithoutPort_isRejectedRatherThanSentToPort80() {
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: a, target: 127.0.0.1}]"))
                .hasMessage("providers[0].target: \"127.0.0.1\" has no port (gRPC would use port 80);"
                        + " write host:port, e.g. 127.0.0.1:50051");
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: a, target: 'dns:///provider'}]"))
                .hasMessageStartingWith("providers[0].target: \"dns:///provider\" has no port");
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: a, target: 'provider:0'}]"))
                .hasMessageStartingWith("providers[0].target: \"provider:0\": port 0 is not a port number");
    }

    @Test
    void parse_targetsGrpcReads_areAccepted() {
        for (String target : List.of("127.0.0.1:50051", "provider.monitoring.svc:50051", "dns:///provider:50051",
                "[::1]:50051", "unix:///run/provider.sock")) {
            assertThat(ConfigLoader.parse("providers: [{name: a, target: '" + target + "'}]").providers())
                    .extracting(ProviderConfig::target).containsExactly(target);
        }
    }

    @Test
    void parse_metricListedTwiceDifferingOnlyInCase_isRejected() {
        assertThatThrownBy(() -> ConfigLoader.parse(
                "providers: [{name: a, target: 'x:1', metrics: [{name: Foo}, {name: bar}, {name: foo}]}]"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].metrics[2].name: metric \"foo\" in namespace \"*\" is listed twice"
                        + " (as \"Foo\" in metrics[0]; metric names match ignoring case)");
        assertThat(ConfigLoader.parse("""
                providers: [{name: a, target: 'x:1', metrics: [{name: Foo}, {namespace: default, name: foo}]}]
                """).providers().getFirst().metrics()).hasSize(2);
    }

    @Test
    void parse_maxAgeShorterThanTheInterval_isRejected() {
        assertThatThrownBy(() -> ConfigLoader.parse(
                "providers: [{name: a, target: 'x:1', metrics: [{name: m, interval: 30s, maxAge: 10s}]}]"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].metrics[0].maxAge: 10s is shorter than the interval (30s), so the value"
                        + " would be stale before each next fetch; give at least the interval");
        // no interval written: the provider's Describe may announce one shorter than the default
        assertThat(ConfigLoader.parse("""
                providers: [{name: a, target: 'x:1', metrics: [{name: m, interval: 1s, maxAge: 1s},
                                                               {name: p, push: true, maxAge: 1s},
                                                               {name: d, maxAge: 5s}]}]
                """).providers().getFirst().metrics()).hasSize(3);
    }

    @Test
    void parse_maxClockSkew_fromZeroToOneHour() {
        String provider = "providers: [{name: a, target: 'x:1', maxClockSkew: ";
        assertThat(ConfigLoader.parse(provider + "0s}]").providers().getFirst().maxClockSkew()).isZero();
        assertThat(ConfigLoader.parse(provider + "1h}]").providers().getFirst().maxClockSkew())
                .isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> ConfigLoader.parse(provider + "61m}]"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].maxClockSkew: 1h1m is longer than the limit of 1h; a provider's clock that "
                        + "far off needs fixing");
        assertThatThrownBy(() -> ConfigLoader.parse(provider + "-5s}]"))
                .hasMessageStartingWith("providers[0].maxClockSkew: \"-5s\" is not a duration");
    }

    @Test
    void parse_lastKnownGoodForNotLongerThanAWrittenMaxAge_isRejectedNamingTheField() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers: [{name: a, target: 'x:1', metrics: [
                  {name: ok, interval: 1s, maxAge: 2m, onError: lastKnownGood, lastKnownGoodFor: 121s},
                  {name: m, interval: 1s, maxAge: 2m, onError: lastKnownGood, lastKnownGoodFor: 1m}]}]
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].metrics[1].lastKnownGoodFor: 1m is not longer than maxAge (2m), so the "
                        + "last value would never be served once stale; give more than the max age");
        // equal is no better: a value older than its max age is also older than the bound
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers: [{name: a, target: 'x:1', metrics: [
                  {name: m, interval: 1s, maxAge: 2m, onError: lastKnownGood, lastKnownGoodFor: 2m}]}]
                """))
                .hasMessageStartingWith("providers[0].metrics[0].lastKnownGoodFor: 2m is not longer than maxAge (2m)");
    }

    @Test
    void parse_lastKnownGoodForShorterThanTheDefaultMaxAgeOfAWrittenTrigger_isRejectedSayingWhichDefault() {
        String provider = "providers: [{name: a, target: 'x:1', metrics: [";
        assertThatThrownBy(() -> ConfigLoader.parse(provider
                + "{name: m, interval: 1m, onError: lastKnownGood, lastKnownGoodFor: 2m}]}]"))
                .hasMessageStartingWith("providers[0].metrics[0].lastKnownGoodFor: 2m is not longer than the default "
                        + "max age, three intervals of 1m (3m), so");
        assertThatThrownBy(() -> ConfigLoader.parse(provider
                + "{name: m, push: true, onError: lastKnownGood, lastKnownGoodFor: 30s}]}]"))
                .hasMessageStartingWith("providers[0].metrics[0].lastKnownGoodFor: 30s is not longer than the default "
                        + "max age of a push metric (1m), so");
        // the default bound (5m) counts too: with it, this metric's policy would silently be `error`
        assertThatThrownBy(() -> ConfigLoader.parse(provider + "{name: m, interval: 5m, onError: lastKnownGood}]}]"))
                .hasMessageStartingWith("providers[0].metrics[0].lastKnownGoodFor: 5m (the default) is not longer than "
                        + "the default max age, three intervals of 5m (15m), so");
        // neither maxAge nor a trigger written: the provider's Describe gives them at run time
        assertThat(ConfigLoader.parse(provider + """
                {name: m, onError: lastKnownGood, lastKnownGoodFor: 10s},
                {name: n, interval: 1m, onError: lastKnownGood, lastKnownGoodFor: 4m},
                {name: p, push: true, onError: lastKnownGood}]}]
                """).providers().getFirst().metrics()).hasSize(3);
    }

    @Test
    void parse_intervalShorterThan10ms_isRejected_asDescribeRejectsIt() {
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: a, target: 'x:1', metrics: [{name: m, "
                + "interval: 1ns}]}]"))
                .hasMessage("providers[0].metrics[0].interval: must be at least 10ms, got 1ns");
        assertThat(ConfigLoader.parse("providers: [{name: a, target: 'x:1', metrics: [{name: m, interval: 10ms}]}]")
                .providers().getFirst().metrics().getFirst().trigger())
                .isEqualTo(new TriggerSpec.Interval(Duration.ofMillis(10)));
    }

    @Test
    void parse_durationsBeyondTheirLimits_areRejectedNamingTheField() {
        String provider = "providers: [{name: a, target: 'x:1', ";
        assertThatThrownBy(() -> ConfigLoader.parse(provider + "retry: {max: 9223372036854775807ns}}]"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("providers[0].retry.max: 2562047h47m16.854775807s is longer than the limit of 1h");
        assertThatThrownBy(() -> ConfigLoader.parse(provider + "retry: {initial: 2h}}]"))
                .hasMessage("providers[0].retry.initial: 2h is longer than the limit of 1h");
        assertThatThrownBy(() -> ConfigLoader.parse(provider + "deadline: 61m}]"))
                .hasMessage("providers[0].deadline: 1h1m is longer than the limit of 1h");
        assertThatThrownBy(() -> ConfigLoader.parse(provider + "metrics: [{name: m, interval: 8761h}]}]"))
                .hasMessage("providers[0].metrics[0].interval: 8761h is longer than the limit of 8760h (365 days)");
        assertThatThrownBy(() -> ConfigLoader.parse(provider + "metrics: [{name: m, push: true, maxAge: 8761h}]}]"))
                .hasMessage("providers[0].metrics[0].maxAge: 8761h is longer than the limit of 8760h (365 days)");
        assertThatThrownBy(() -> ConfigLoader.parse(provider
                + "metrics: [{name: m, onError: lastKnownGood, lastKnownGoodFor: 8761h}]}]"))
                .hasMessage("providers[0].metrics[0].lastKnownGoodFor: 8761h is longer than the limit of 8760h"
                        + " (365 days)");

        ProviderConfig atTheLimits = ConfigLoader.parse(provider + """
                deadline: 1h, retry: {initial: 1h, max: 1h},
                metrics: [{name: m, interval: 8760h, maxAge: 8760h},
                          {name: n, push: true, onError: lastKnownGood, lastKnownGoodFor: 8760h}]}]
                """).providers().getFirst();
        assertThat(atTheLimits.retry()).isEqualTo(new RetryConfig(Duration.ofHours(1), Duration.ofHours(1)));
        assertThat(atTheLimits.metrics()).extracting(MetricConfig::onError)
                .containsExactly(OnErrorPolicy.error(), new OnErrorPolicy.LastKnownGood(Duration.ofHours(8760)));
    }

    @Test
    void parse_notYaml_isAConfigException() {
        assertThatThrownBy(() -> ConfigLoader.parse("providers: [unclosed"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("not valid YAML");
        assertThatThrownBy(() -> ConfigLoader.parse("providers:\n  - name: a\n    name: b\n    target: 'x:1'\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("duplicate key");
    }

    @Test
    void load_missingFile_namesTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void load_badFile_prefixesTheFileName(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("adapter.yaml"), "providers: [{name: a}]\n");
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .hasMessage(file + ": providers[0].target: required");
    }
}
