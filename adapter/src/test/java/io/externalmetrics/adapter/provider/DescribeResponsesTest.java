package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.MetricInfo;
import io.externalmetrics.adapter.cache.MetricKey;
import io.externalmetrics.adapter.cache.OnErrorPolicy;
import io.externalmetrics.adapter.cache.TriggerSpec;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.config.ProviderConfig;
import io.externalmetrics.proto.v1.DescribeResponse;
import io.externalmetrics.proto.v1.MetricDescriptor;
import io.externalmetrics.proto.v1.MetricRef;
import io.externalmetrics.proto.v1.Push;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DescribeResponsesTest {

    private static final ProviderConfig BARE = ProviderConfig.of("p", "127.0.0.1:1");

    private static ProviderConfig configured(String metricsYaml) {
        return ConfigLoader.parse("providers: [{name: p, target: '127.0.0.1:1', metrics: " + metricsYaml + "}]")
                .providers().getFirst();
    }

    private static MetricDescriptor.Builder descriptor(String namespace, String name) {
        return MetricDescriptor.newBuilder().setMetric(MetricRef.newBuilder().setNamespace(namespace).setName(name));
    }

    private static com.google.protobuf.Duration seconds(long seconds) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(seconds).build();
    }

    private static DescribeResponse reply(MetricDescriptor.Builder... descriptors) {
        var reply = DescribeResponse.newBuilder();
        for (MetricDescriptor.Builder descriptor : descriptors) {
            reply.addMetrics(descriptor);
        }
        return reply.build();
    }

    @Test
    void toMetricSet_intervalAndPush_takeTheDefaultMaxAgesAndTheErrorPolicy() {
        var set = DescribeResponses.toMetricSet(reply(
                descriptor("*", "every").setInterval(seconds(2)),
                descriptor("prod", "pushed").setPush(Push.getDefaultInstance())), BARE);

        assertThat(set.metrics()).containsExactly(
                new MetricInfo(new MetricKey("*", "every"), "p", new TriggerSpec.Interval(Duration.ofSeconds(2)),
                        Duration.ofSeconds(6), OnErrorPolicy.error()),
                new MetricInfo(new MetricKey("prod", "pushed"), "p", new TriggerSpec.Push(), Duration.ofMinutes(1),
                        OnErrorPolicy.error()));
        assertThat(set.skipped()).isEmpty();
        assertThat(set.duplicates()).isEmpty();
        assertThat(set.status()).isEqualTo("ok: 2 metrics");
    }

    @Test
    void toMetricSet_emptyNamespace_meansAllNamespaces() {
        var set = DescribeResponses.toMetricSet(reply(descriptor("", "m").setInterval(seconds(1))), BARE);

        assertThat(set.metrics()).extracting(MetricInfo::key).containsExactly(new MetricKey("*", "m"));
    }

    @Test
    void toMetricSet_configuredMetricOfTheSameName_lendsItsPoliciesAndTrigger() {
        ProviderConfig config = configured("""
                [{name: lenient, interval: 5s, maxAge: 20s, onError: lastKnownGood, lastKnownGoodFor: 1m},
                 {name: fixed, push: true, onError: static, staticValue: "3"}]""");

        var set = DescribeResponses.toMetricSet(reply(
                descriptor("*", "lenient"), // no trigger, no max age: both from the configuration
                descriptor("*", "fixed").setInterval(seconds(1)).setMaxAge(seconds(9))), config);

        assertThat(set.metrics()).containsExactly(
                new MetricInfo(new MetricKey("*", "lenient"), "p", new TriggerSpec.Interval(Duration.ofSeconds(5)),
                        Duration.ofSeconds(20), new OnErrorPolicy.LastKnownGood(Duration.ofMinutes(1))),
                new MetricInfo(new MetricKey("*", "fixed"), "p", new TriggerSpec.Interval(Duration.ofSeconds(1)),
                        Duration.ofSeconds(9), new OnErrorPolicy.Static("3")));
    }

    @Test
    void lastKnownGoodFor_notLongerThanAMaxAgeKnownOnlyNow_isSaidInTheStatus() {
        // accepted by the configuration: no trigger or max age written, so Describe decides them
        ProviderConfig config = configured("[{name: m, onError: lastKnownGood, lastKnownGoodFor: 10s}]");
        String problem = "metric */m: lastKnownGoodFor (10s) is not longer than its max age (3m), so its last value "
                + "is never served once stale";

        var described = DescribeResponses.toMetricSet(reply(descriptor("*", "m").setInterval(seconds(60))), config);
        assertThat(described.policyProblems()).containsExactly(problem);
        assertThat(described.status()).isEqualTo("ok: 1 metrics; " + problem);

        // without Describe, the configured metric is fetched every 15s and its max age is 45s
        assertThat(DescribeResponses.configured(config).policyProblems()).containsExactly(
                problem.replace("(3m)", "(45s)"));
        assertThat(DescribeResponses.configured(configured(
                "[{name: m, onError: lastKnownGood, lastKnownGoodFor: 46s}]")).policyProblems()).isEmpty();
    }

    @Test
    void toMetricSet_noTriggerAndNothingConfigured_isFetchedEvery15s() {
        var set = DescribeResponses.toMetricSet(reply(descriptor("*", "m")), BARE);

        assertThat(set.metrics()).singleElement().satisfies(info -> {
            assertThat(info.trigger()).isEqualTo(new TriggerSpec.Interval(Duration.ofSeconds(15)));
            assertThat(info.maxAge()).isEqualTo(Duration.ofSeconds(45));
        });
    }

    @Test
    void toMetricSet_unusableEntries_areSkippedWithWhy_andTheRestServed() {
        var set = DescribeResponses.toMetricSet(reply(
                descriptor("*", "good").setInterval(seconds(1)),
                descriptor("Not_A_Namespace", "m").setInterval(seconds(1)),
                descriptor("*", "a/b").setInterval(seconds(1)),
                descriptor("*", "tiny").setInterval(com.google.protobuf.Duration.newBuilder().setNanos(1)),
                descriptor("*", "old").setPush(Push.getDefaultInstance()).setMaxAge(seconds(-5))), BARE);

        assertThat(set.metrics()).extracting(info -> info.key().name()).containsExactly("good");
        assertThat(set.skipped()).extracting(DescribeResponses.Skipped::toString).containsExactly(
                "metric \"m\" in namespace \"Not_A_Namespace\": namespace \"Not_A_Namespace\" is neither \"*\" "
                        + "nor a Kubernetes namespace name (a DNS-1123 label)",
                "metric \"a/b\" in namespace \"*\": metric name \"a/b\" contains '/', which cannot appear in a URL "
                        + "path segment",
                "metric \"tiny\" in namespace \"*\": interval must be at least 10ms, got 1ns",
                "metric \"old\" in namespace \"*\": max_age must be positive");
        assertThat(set.status()).startsWith("ok: 1 metrics; skipped 4: metric \"m\" in namespace \"Not_A_Namespace\"")
                .endsWith("; metric \"old\" in namespace \"*\": max_age must be positive");
    }

    @Test
    void toMetricSet_aMetricListedTwice_theFirstListingIsUsed_andTheDuplicateNamed() {
        var set = DescribeResponses.toMetricSet(reply(
                descriptor("*", "m").setInterval(seconds(1)),
                descriptor("*", "m").setPush(Push.getDefaultInstance())), BARE);

        assertThat(set.metrics()).singleElement()
                .satisfies(info -> assertThat(info.trigger())
                        .isEqualTo(new TriggerSpec.Interval(Duration.ofSeconds(1))));
        assertThat(set.duplicates()).containsExactly(new MetricKey("*", "m"));
    }

    @Test
    void toMetricSet_namesDifferingOnlyInCase_areOneMetricListedTwice() {
        // as in configuration: reads find a metric ignoring case, so these would clash with each other
        var set = DescribeResponses.toMetricSet(reply(
                descriptor("*", "Req").setInterval(seconds(1)),
                descriptor("*", "req").setInterval(seconds(2))), BARE);

        assertThat(set.metrics()).extracting(MetricInfo::key).containsExactly(new MetricKey("*", "Req"));
        assertThat(set.duplicates()).containsExactly(new MetricKey("*", "req"));
    }

    @Test
    void configured_usesTheConfiguredMetrics_withDefaultMaxAges() {
        var set = DescribeResponses.configured(configured("[{name: a, interval: 2s}, {name: b, push: true}]"));

        assertThat(set.metrics()).extracting(MetricInfo::maxAge).containsExactly(Duration.ofSeconds(6),
                Duration.ofMinutes(1));
        assertThat(set.metrics()).extracting(MetricInfo::provider).containsOnly("p");
    }
}
