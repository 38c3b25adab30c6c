package io.externalmetrics.adapter.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The OpenAPI documents the kube-apiserver aggregates from us (without them it logs
 * "OpenAPI spec does not exist" for ever), loaded once from the classpath.
 *
 * @param v2      {@code /openapi/v2}, Swagger 2.0
 * @param v3Index {@code /openapi/v3}, pointing at the group-version document by hash
 * @param v3      {@code /openapi/v3/apis/external.metrics.k8s.io/v1beta1}
 * @param v2Etag  entity tag of v2
 * @param v3Etag  entity tag of v3 (also the hash in the index)
 */
record OpenApiDocuments(byte[] v2, byte[] v3Index, byte[] v3, String v2Etag, String v3Etag) {

    static final String V3_GROUP_VERSION_PATH = "/openapi/v3/apis/external.metrics.k8s.io/v1beta1";

    static OpenApiDocuments load() {
        byte[] v2 = resource("openapi-v2.json");
        byte[] v3 = resource("openapi-v3-external.metrics.k8s.io-v1beta1.json");
        String v3Hash = sha512(v3);
        byte[] index = ("{\"paths\":{\"apis/external.metrics.k8s.io/v1beta1\":{\"serverRelativeURL\":\""
                + V3_GROUP_VERSION_PATH + "?hash=" + v3Hash + "\"}}}").getBytes(StandardCharsets.UTF_8);
        return new OpenApiDocuments(v2, index, v3, "\"" + sha512(v2) + "\"", "\"" + v3Hash + "\"");
    }

    private static byte[] resource(String name) {
        try (InputStream in = OpenApiDocuments.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("OpenAPI document " + name + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha512(byte[] bytes) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
