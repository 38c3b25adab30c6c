package io.externalmetrics.adapter.k8s;

import java.nio.charset.StandardCharsets;

/**
 * The discovery documents of {@code external.metrics.k8s.io/v1beta1}. Constant: the resource list
 * holds one placeholder resource, never the metrics, as custom-metrics-apiserver does (listing
 * metrics there costs every client memory on every discovery poll; an empty list makes client-go warn).
 */
public final class Discovery {

    /** The API group. */
    public static final String GROUP = "external.metrics.k8s.io";
    /** The served version. */
    public static final String VERSION = "v1beta1";
    /** Group and version. */
    public static final String GROUP_VERSION = GROUP + "/" + VERSION;

    private static final String GROUP_BODY = "\"name\":\"" + GROUP + "\",\"versions\":[{\"groupVersion\":\""
            + GROUP_VERSION + "\",\"version\":\"" + VERSION + "\"}],\"preferredVersion\":{\"groupVersion\":\""
            + GROUP_VERSION + "\",\"version\":\"" + VERSION + "\"}";

    private Discovery() {
    }

    /** {@code GET /apis}: an {@code APIGroupList}. */
    public static byte[] groupList() {
        return ("{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[{" + GROUP_BODY + "}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** {@code GET /apis/external.metrics.k8s.io}: an {@code APIGroup}. */
    public static byte[] group() {
        return ("{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\"," + GROUP_BODY + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** {@code GET /apis/external.metrics.k8s.io/v1beta1}: an {@code APIResourceList}. */
    public static byte[] resourceList() {
        return ("{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"" + GROUP_VERSION
                + "\",\"resources\":[{\"name\":\"externalmetrics\",\"singularName\":\"\",\"namespaced\":true,"
                + "\"kind\":\"ExternalMetricValueList\",\"verbs\":[\"get\"]}]}").getBytes(StandardCharsets.UTF_8);
    }
}
