package io.externalmetrics.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The static OpenAPI documents the adapter serves at {@code /openapi/v2} and
 * {@code /openapi/v3/apis/external.metrics.k8s.io/v1beta1}: the kube-apiserver's aggregator fetches
 * them, and {@code kubectl explain} and client generators read them.
 */
class OpenApiDocumentsTest {

    private static final String VALUE_PATH =
            "/apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/{metricName}";
    private static final String DISCOVERY_PATH = "/apis/external.metrics.k8s.io/v1beta1/";
    private static final String LIST = "io.k8s.metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValueList";
    private static final String VALUE = "io.k8s.metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValue";
    private static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    private static final String TIME = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
    private static final String RESOURCE_LIST = "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList";

    enum Document {
        V2("openapi-v2.json", "#/definitions/") {
            @Override
            JsonNode schemas(JsonNode root) {
                return root.path("definitions");
            }

            @Override
            JsonNode okSchema(JsonNode operation) {
                return operation.path("responses").path("200").path("schema");
            }
        },
        V3("openapi-v3-external.metrics.k8s.io-v1beta1.json", "#/components/schemas/") {
            @Override
            JsonNode schemas(JsonNode root) {
                return root.path("components").path("schemas");
            }

            @Override
            JsonNode okSchema(JsonNode operation) {
                return operation.path("responses").path("200").path("content").path("application/json").path("schema");
            }
        };

        final String resource;
        final String refPrefix;

        Document(String resource, String refPrefix) {
            this.resource = resource;
            this.refPrefix = refPrefix;
        }

        abstract JsonNode schemas(JsonNode root);

        abstract JsonNode okSchema(JsonNode operation);

        JsonNode load() throws IOException {
            try (InputStream in = OpenApiDocumentsTest.class.getResourceAsStream(resource)) {
                assertThat(in).as("classpath resource io/externalmetrics/adapter/http/" + resource).isNotNull();
                return new ObjectMapper().readTree(in);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Document.class)
    void declaresItsVersionAndInfo(Document document) throws IOException {
        JsonNode root = document.load();

        if (document == Document.V2) {
            assertThat(root.path("swagger").asText()).isEqualTo("2.0");
            assertThat(root.has("openapi")).isFalse();
        } else {
            assertThat(root.path("openapi").asText()).startsWith("3.0");
            assertThat(root.has("swagger")).isFalse();
        }
        assertThat(root.path("info").path("title").asText()).isEqualTo("externalmetrics");
        assertThat(root.path("info").path("version").asText()).isEqualTo("v1beta1");
    }

    @ParameterizedTest
    @EnumSource(Document.class)
    void describesTheValueListOperation(Document document) throws IOException {
        JsonNode root = document.load();
        JsonNode pathItem = root.path("paths").path(VALUE_PATH);
        assertThat(pathItem.isObject()).as(VALUE_PATH).isTrue();
        assertThat(pathItem.properties()).extracting(Map.Entry::getKey).containsOnly("get");

        JsonNode get = pathItem.path("get");
        assertThat(get.path("operationId").asText()).isEqualTo("listExternalMetricValue");

        List<JsonNode> parameters = new ArrayList<>();
        pathItem.path("parameters").forEach(parameters::add);
        get.path("parameters").forEach(parameters::add);
        assertThat(parameter(parameters, "namespace").path("in").asText()).isEqualTo("path");
        assertThat(parameter(parameters, "namespace").path("required").asBoolean()).isTrue();
        assertThat(parameter(parameters, "metricName").path("in").asText()).isEqualTo("path");
        assertThat(parameter(parameters, "metricName").path("required").asBoolean()).isTrue();
        JsonNode labelSelector = parameter(parameters, "labelSelector");
        assertThat(labelSelector.path("in").asText()).isEqualTo("query");
        assertThat(labelSelector.path("required").asBoolean(false)).isFalse();
        String type = document == Document.V2
                ? labelSelector.path("type").asText()
                : labelSelector.path("schema").path("type").asText();
        assertThat(type).isEqualTo("string");

        assertThat(document.okSchema(get).path("$ref").asText()).isEqualTo(document.refPrefix + LIST);
        assertThat(get.path("responses").has("401")).isTrue();
        if (document == Document.V2) {
            // JSON only: protobuf is never required of an aggregated server
            assertThat(get.path("produces")).extracting(JsonNode::asText).containsExactly("application/json");
        } else {
            assertThat(get.path("responses").path("200").path("content").properties())
                    .extracting(Map.Entry::getKey).containsExactly("application/json");
        }
    }

    @ParameterizedTest
    @EnumSource(Document.class)
    void describesDiscovery(Document document) throws IOException {
        JsonNode get = document.load().path("paths").path(DISCOVERY_PATH).path("get");
        assertThat(get.isObject()).as(DISCOVERY_PATH).isTrue();
        assertThat(document.okSchema(get).path("$ref").asText()).isEqualTo(document.refPrefix + RESOURCE_LIST);
    }

    @ParameterizedTest
    @EnumSource(Document.class)
    void definesTheListAndValueTypesAsKubernetesDoes(Document document) throws IOException {
        JsonNode schemas = document.schemas(document.load());

        JsonNode list = schemas.path(LIST);
        assertThat(list.path("type").asText()).isEqualTo("object");
        assertThat(list.path("required")).extracting(JsonNode::asText).containsExactly("items");
        assertThat(list.path("properties").path("items").path("type").asText()).isEqualTo("array");
        assertThat(list.path("properties").path("items").path("items").path("$ref").asText())
                .isEqualTo(document.refPrefix + VALUE);
        assertThat(list.path("properties").path("metadata").path("$ref").asText())
                .isEqualTo(document.refPrefix + "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta");
        assertGvk(list, "ExternalMetricValueList");

        JsonNode value = schemas.path(VALUE);
        assertThat(value.path("type").asText()).isEqualTo("object");
        assertThat(value.path("required")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("metricName", "metricLabels", "timestamp", "value");
        JsonNode properties = value.path("properties");
        assertThat(properties.path("metricName").path("type").asText()).isEqualTo("string");
        assertThat(properties.path("metricLabels").path("type").asText()).isEqualTo("object");
        assertThat(properties.path("metricLabels").path("additionalProperties").path("type").asText())
                .isEqualTo("string");
        assertThat(properties.path("timestamp").path("$ref").asText()).isEqualTo(document.refPrefix + TIME);
        assertThat(properties.path("window").path("type").asText()).isEqualTo("integer");
        assertThat(properties.path("window").path("format").asText()).isEqualTo("int64");
        assertThat(properties.path("value").path("$ref").asText()).isEqualTo(document.refPrefix + QUANTITY);
        assertGvk(value, "ExternalMetricValue");

        JsonNode time = schemas.path(TIME);
        assertThat(time.path("type").asText()).isEqualTo("string");
        assertThat(time.path("format").asText()).isEqualTo("date-time");

        JsonNode quantity = schemas.path(QUANTITY);
        if (document == Document.V2) {
            assertThat(quantity.path("type").asText()).isEqualTo("string");
        } else {
            // as kube-openapi renders Quantity in v3: a string, or a number on input
            assertThat(quantity.path("oneOf")).extracting(node -> node.path("type").asText())
                    .containsExactly("string", "number");
        }
    }

    @ParameterizedTest
    @EnumSource(Document.class)
    void everyReferenceResolvesToADefinedSchema(Document document) throws IOException {
        JsonNode root = document.load();
        JsonNode schemas = document.schemas(root);
        List<String> refs = new ArrayList<>();
        walk(root, "", (path, node) -> {
            JsonNode ref = node.get("$ref");
            if (ref != null) {
                refs.add(path + " -> " + ref.asText());
            }
        });

        assertThat(refs).isNotEmpty();
        for (String entry : refs) {
            String ref = entry.substring(entry.indexOf(" -> ") + 4);
            assertThat(ref).as(entry).startsWith(document.refPrefix);
            assertThat(schemas.has(ref.substring(document.refPrefix.length()))).as(entry).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Document.class)
    void definesNoUnusedSchemas(Document document) throws IOException {
        JsonNode root = document.load();
        List<String> referenced = new ArrayList<>();
        walk(root, "", (path, node) -> {
            JsonNode ref = node.get("$ref");
            if (ref != null) {
                referenced.add(ref.asText().substring(document.refPrefix.length()));
            }
        });
        assertThat(referenced).containsAll(
                document.schemas(root).properties().stream().map(Map.Entry::getKey).toList());
    }

    private static JsonNode parameter(List<JsonNode> parameters, String name) {
        return parameters.stream()
                .filter(parameter -> name.equals(parameter.path("name").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no parameter " + name + " in " + parameters));
    }

    private static void assertGvk(JsonNode schema, String kind) {
        JsonNode gvks = schema.path("x-kubernetes-group-version-kind");
        assertThat(gvks.isArray()).as("x-kubernetes-group-version-kind of " + kind).isTrue();
        assertThat(gvks).hasSize(1);
        assertThat(gvks.get(0).path("group").asText()).isEqualTo("external.metrics.k8s.io");
        assertThat(gvks.get(0).path("version").asText()).isEqualTo("v1beta1");
        assertThat(gvks.get(0).path("kind").asText()).isEqualTo(kind);
    }

    private static void walk(JsonNode node, String path, BiConsumer<String, JsonNode> visitor) {
        if (node.isObject()) {
            visitor.accept(path, node);
            node.properties().forEach(field -> walk(field.getValue(), path + "/" + field.getKey(), visitor));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "/" + i, visitor);
            }
        }
    }
}
