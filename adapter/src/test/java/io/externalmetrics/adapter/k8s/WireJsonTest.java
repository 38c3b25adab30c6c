package io.externalmetrics.adapter.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Golden JSON: the bytes Kubernetes clients parse, as K8S-CONTRACT.md gives them. */
class WireJsonTest {

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void list_oneItem_matchesTheContractExample() {
        byte[] item = ExternalMetricJson.item("queue-depth", Map.of("queue", "orders"),
                Instant.parse("2026-11-24T22:09:18.999Z"), Optional.empty(), "1500m");

        assertThat(text(ExternalMetricJson.list(List.of(item)))).isEqualTo(
                "{\"kind\":\"ExternalMetricValueList\",\"apiVersion\":\"external.metrics.k8s.io/v1beta1\","
                + "\"metadata\":{},\"items\":[{\"metricName\":\"queue-depth\",\"metricLabels\":{\"queue\":\"orders\"},"
                + "\"timestamp\":\"2026-11-24T22:09:18Z\",\"value\":\"1500m\"}]}");
    }

    @Test
    void item_labelsSortedAndWindowInSeconds() {
        byte[] item = ExternalMetricJson.item("m", Map.of("b", "2", "a", "1", "c\"", "x"),
                Instant.parse("2026-01-02T03:04:05Z"), Optional.of(Duration.ofMillis(60_500)), "-3");

        assertThat(text(item)).isEqualTo(
                "{\"metricName\":\"m\",\"metricLabels\":{\"a\":\"1\",\"b\":\"2\",\"c\\\"\":\"x\"},"
                + "\"timestamp\":\"2026-01-02T03:04:05Z\",\"window\":60,\"value\":\"-3\"}");
    }

    @Test
    void list_noItems_isAnEmptyArray() {
        assertThat(text(ExternalMetricJson.list(List.of()))).endsWith("\"items\":[]}");
    }

    @Test
    void status_notFound_hasDetails() {
        assertThat(text(StatusJson.metricNotFound("queue-depth",
                "metric \"queue-depth\" in namespace \"default\": gone")))
                .isEqualTo("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"metric \\\"queue-depth\\\" in namespace \\\"default\\\": gone\","
                        + "\"reason\":\"NotFound\","
                        + "\"details\":{\"name\":\"queue-depth\",\"group\":\"external.metrics.k8s.io\","
                        + "\"kind\":\"queue-depth\"},"
                        + "\"code\":404}");
    }

    @Test
    void status_writtenOnManyVirtualThreadsAtOnce_eachBodyIsItsOwn() throws Exception {
        // the Status writer's buffers come from a pool shared by all threads: none may leak into another body
        List<Future<String>> bodies = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2000; i++) {
                String name = "metric-" + i + "-" + "x".repeat(i % 300);
                bodies.add(threads.submit(() -> text(StatusJson.metricNotFound(name, "no " + name))));
            }
        }
        for (int i = 0; i < bodies.size(); i++) {
            String name = "metric-" + i + "-" + "x".repeat(i % 300);
            assertThat(bodies.get(i).get()).isEqualTo(text(StatusJson.metricNotFound(name, "no " + name)))
                    .contains("\"message\":\"no " + name + "\"");
        }
    }

    @Test
    void item_encodedOnManyVirtualThreadsAtOnce_eachIsItsOwn() throws Exception {
        // as fetches encode their items: each on a virtual thread, with buffers from a pool all threads share
        Instant at = Instant.parse("2026-11-30T10:00:00Z");
        List<Future<String>> items = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2000; i++) {
                Map<String, String> labels = Map.of("shard", i + "-" + "y".repeat(i % 300));
                items.add(threads.submit(() -> text(ExternalMetricJson.item("m", labels, at, Optional.empty(), "1"))));
            }
        }
        for (int i = 0; i < items.size(); i++) {
            assertThat(items.get(i).get()).isEqualTo("{\"metricName\":\"m\",\"metricLabels\":{\"shard\":\""
                    + i + "-" + "y".repeat(i % 300) + "\"},\"timestamp\":\"2026-11-30T10:00:00Z\",\"value\":\"1\"}");
        }
    }

    @Test
    void status_unavailable_matchesTheContractShape() {
        assertThat(text(StatusJson.failure(StatusReason.SERVICE_UNAVAILABLE, "provider down")))
                .isEqualTo("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"provider down\",\"reason\":\"ServiceUnavailable\",\"code\":503}");
    }

    @Test
    void discovery_documents_matchTheContract() {
        assertThat(text(Discovery.groupList())).isEqualTo(
                "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[{"
                + "\"name\":\"external.metrics.k8s.io\","
                + "\"versions\":[{\"groupVersion\":\"external.metrics.k8s.io/v1beta1\",\"version\":\"v1beta1\"}],"
                + "\"preferredVersion\":{\"groupVersion\":\"external.metrics.k8s.io/v1beta1\","
                + "\"version\":\"v1beta1\"}}]}");
        assertThat(text(Discovery.group())).startsWith(
                "{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\",\"name\":\"external.metrics.k8s.io\"");
        assertThat(text(Discovery.resourceList())).isEqualTo(
                "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\","
                + "\"groupVersion\":\"external.metrics.k8s.io/v1beta1\",\"resources\":[{\"name\":\"externalmetrics\","
                + "\"singularName\":\"\",\"namespaced\":true,\"kind\":\"ExternalMetricValueList\","
                + "\"verbs\":[\"get\"]}]}");
    }
}
