package io.externalmetrics.adapter.apiserver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.externalmetrics.adapter.auth.ReviewUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the kube-apiserver's front proxy and its clients authenticate, as it publishes them in the ConfigMap
 * {@code kube-system/extension-apiserver-authentication} (the adapter's service account reads it through the
 * Role {@code extension-apiserver-authentication-reader}).
 *
 * <p>{@code requestheader-client-ca-file} and {@code requestheader-username-headers} must be present (without
 * them the front proxy cannot be trusted or understood); the other lists are empty when absent (older clusters
 * have no {@code requestheader-uid-headers}); {@code client-ca-file} is empty when absent.
 *
 * @param requestHeaderClientCA        the CAs that sign the front proxy's client certificate
 * @param requestHeaderAllowedNames    the common names the front proxy's certificate may have; empty: any
 * @param requestHeaderUsernameHeaders headers carrying the user name, first present wins ({@code X-Remote-User})
 * @param requestHeaderUidHeaders      headers carrying the uid
 * @param requestHeaderGroupHeaders    headers carrying groups ({@code X-Remote-Group})
 * @param requestHeaderExtraPrefixes   prefixes of headers carrying extra ({@code X-Remote-Extra-})
 * @param clientCA                     the CAs of ordinary client certificates; empty when not published
 */
public record ExtensionApiserverAuthentication(
        List<X509Certificate> requestHeaderClientCA,
        List<String> requestHeaderAllowedNames,
        List<String> requestHeaderUsernameHeaders,
        List<String> requestHeaderUidHeaders,
        List<String> requestHeaderGroupHeaders,
        List<String> requestHeaderExtraPrefixes,
        List<X509Certificate> clientCA) {

    public static final String NAMESPACE = "kube-system";
    public static final String NAME = "extension-apiserver-authentication";

    static final String REQUESTHEADER_CLIENT_CA = "requestheader-client-ca-file";
    static final String REQUESTHEADER_ALLOWED_NAMES = "requestheader-allowed-names";
    static final String REQUESTHEADER_USERNAME_HEADERS = "requestheader-username-headers";
    static final String REQUESTHEADER_UID_HEADERS = "requestheader-uid-headers";
    static final String REQUESTHEADER_GROUP_HEADERS = "requestheader-group-headers";
    static final String REQUESTHEADER_EXTRA_PREFIXES = "requestheader-extra-headers-prefix";
    static final String CLIENT_CA = "client-ca-file";

    private static final JsonFactory JSON = new JsonFactory();

    public ExtensionApiserverAuthentication {
        requestHeaderClientCA = List.copyOf(requestHeaderClientCA);
        requestHeaderAllowedNames = List.copyOf(requestHeaderAllowedNames);
        requestHeaderUsernameHeaders = List.copyOf(requestHeaderUsernameHeaders);
        requestHeaderUidHeaders = List.copyOf(requestHeaderUidHeaders);
        requestHeaderGroupHeaders = List.copyOf(requestHeaderGroupHeaders);
        requestHeaderExtraPrefixes = List.copyOf(requestHeaderExtraPrefixes);
        clientCA = List.copyOf(clientCA);
    }

    /**
     * Reads the ConfigMap now.
     *
     * @throws ReviewUnavailableException                when the kube-apiserver could not be asked
     * @throws ExtensionApiserverAuthenticationException when the ConfigMap is missing or a key is missing or
     *                                                   malformed
     */
    public static ExtensionApiserverAuthentication fetch(KubernetesAccess access) {
        var data = Reviews.configMapData(access.client(), NAMESPACE, NAME).orElseThrow(
                () -> new ExtensionApiserverAuthenticationException("ConfigMap " + NAMESPACE + "/" + NAME
                        + " does not exist"));
        return parse(data);
    }

    /**
     * The settings in a ConfigMap's data.
     *
     * @throws ExtensionApiserverAuthenticationException naming the key that is missing or malformed
     */
    public static ExtensionApiserverAuthentication parse(Map<String, String> data) {
        return new ExtensionApiserverAuthentication(
                certificates(data, REQUESTHEADER_CLIENT_CA, true),
                strings(data, REQUESTHEADER_ALLOWED_NAMES, false),
                strings(data, REQUESTHEADER_USERNAME_HEADERS, true),
                strings(data, REQUESTHEADER_UID_HEADERS, false),
                strings(data, REQUESTHEADER_GROUP_HEADERS, false),
                strings(data, REQUESTHEADER_EXTRA_PREFIXES, false),
                certificates(data, CLIENT_CA, false));
    }

    private static String value(Map<String, String> data, String key, boolean required) {
        String value = data.get(key);
        if ((value == null || value.isBlank()) && required) {
            throw new ExtensionApiserverAuthenticationException(where(key) + " is missing");
        }
        return value == null ? "" : value.strip();
    }

    /** PEM certificates, one or more. */
    private static List<X509Certificate> certificates(Map<String, String> data, String key, boolean required) {
        String pem = value(data, key, required);
        if (pem.isEmpty()) {
            return List.of();
        }
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new ExtensionApiserverAuthenticationException(where(key) + " holds no PEM certificate");
        }
        try {
            var certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            List<X509Certificate> result = new ArrayList<>();
            for (var certificate : certificates) {
                result.add((X509Certificate) certificate);
            }
            if (result.isEmpty()) {
                throw new ExtensionApiserverAuthenticationException(where(key) + " holds no PEM certificate");
            }
            return result;
        } catch (CertificateException | ClassCastException e) {
            throw new ExtensionApiserverAuthenticationException(where(key) + " is not valid PEM certificates: "
                    + e.getMessage(), e);
        }
    }

    /** A JSON list of strings, as Kubernetes writes them ({@code ["X-Remote-User"]}); {@code null} is empty. */
    private static List<String> strings(Map<String, String> data, String key, boolean required) {
        String json = value(data, key, required);
        if (json.isEmpty()) {
            return List.of();
        }
        List<String> result = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(json)) {
            JsonToken token = parser.nextToken();
            if (token == JsonToken.VALUE_NULL) {
                token = parser.nextToken();
            } else {
                if (token != JsonToken.START_ARRAY) {
                    throw malformedList(key, null);
                }
                while ((token = parser.nextToken()) == JsonToken.VALUE_STRING) {
                    String value = parser.getText();
                    if (value.isEmpty()) {
                        throw malformedList(key, null);
                    }
                    result.add(value);
                }
                if (token != JsonToken.END_ARRAY) {
                    throw malformedList(key, null);
                }
                token = parser.nextToken();
            }
            if (token != null) {
                throw malformedList(key, null);
            }
        } catch (IOException e) {
            throw malformedList(key, e);
        }
        if (required && result.isEmpty()) {
            throw new ExtensionApiserverAuthenticationException(where(key) + " is an empty list");
        }
        return result;
    }

    private static ExtensionApiserverAuthenticationException malformedList(String key, Exception cause) {
        return new ExtensionApiserverAuthenticationException(where(key)
                + " is not a JSON list of non-empty strings", cause);
    }

    private static String where(String key) {
        return "ConfigMap " + NAMESPACE + "/" + NAME + ": key " + key;
    }
}
