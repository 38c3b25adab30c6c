package io.externalmetrics.adapter.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.auth.ReviewUnavailableException;
import io.externalmetrics.adapter.testing.Closer;
import io.externalmetrics.adapter.testing.FakeKubeApiServer;
import io.externalmetrics.adapter.testing.TestPki;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ExtensionApiserverAuthenticationTest {

    private static final TestPki.Issued FRONT_PROXY_CA = TestPki.ca("front-proxy-ca");
    private static final TestPki.Issued CLIENT_CA = TestPki.ca("kubernetes");
    private static final TestPki.Issued OTHER_CA = TestPki.ca("front-proxy-ca-next");

    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path dir;

    private FakeKubeApiServer apiserver;
    private KubernetesAccess access;

    @BeforeEach
    void setUp() {
        apiserver = closer.register(FakeKubeApiServer.start(dir));
        access = closer.register(KubernetesAccess.fromKubeconfig(apiserver.kubeconfig(),
                KubernetesAccess.Timeouts.DEFAULT));
    }

    /** The ConfigMap as kubeadm's kube-apiserver writes it. */
    private static Map<String, String> published() {
        Map<String, String> data = new HashMap<>();
        data.put("requestheader-client-ca-file", TestPki.pem(FRONT_PROXY_CA.certificate()));
        data.put("requestheader-allowed-names", "[\"front-proxy-client\"]");
        data.put("requestheader-username-headers", "[\"X-Remote-User\"]");
        data.put("requestheader-uid-headers", "[\"X-Remote-Uid\"]");
        data.put("requestheader-group-headers", "[\"X-Remote-Group\"]");
        data.put("requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]");
        data.put("client-ca-file", TestPki.pem(CLIENT_CA.certificate()));
        return data;
    }

    @Test
    void fetch_publishedConfigMap_isParsed() {
        apiserver.configMap(published());

        var settings = ExtensionApiserverAuthentication.fetch(access);

        assertThat(settings).isEqualTo(new ExtensionApiserverAuthentication(
                List.of(FRONT_PROXY_CA.certificate()), List.of("front-proxy-client"), List.of("X-Remote-User"),
                List.of("X-Remote-Uid"), List.of("X-Remote-Group"), List.of("X-Remote-Extra-"),
                List.of(CLIENT_CA.certificate())));
        var request = apiserver.requests(FakeKubeApiServer.EXTENSION_CONFIG_MAP).getFirst();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.authorization()).contains("Bearer " + FakeKubeApiServer.KUBECONFIG_TOKEN);
    }

    @Test
    void parse_twoCertificatesAndEmptyAllowedNames_keepsBoth() {
        var data = published();
        data.put("requestheader-client-ca-file",
                TestPki.pem(FRONT_PROXY_CA.certificate()) + TestPki.pem(OTHER_CA.certificate()));
        data.put("requestheader-allowed-names", "[]");

        var settings = ExtensionApiserverAuthentication.parse(data);

        assertThat(settings.requestHeaderClientCA())
                .containsExactly(FRONT_PROXY_CA.certificate(), OTHER_CA.certificate());
        assertThat(settings.requestHeaderAllowedNames()).isEmpty();
    }

    @Test
    void parse_optionalKeysAbsent_areEmpty() {
        var data = published();
        data.remove("requestheader-uid-headers");
        data.remove("requestheader-allowed-names");
        data.remove("client-ca-file");
        data.put("requestheader-group-headers", "null");

        var settings = ExtensionApiserverAuthentication.parse(data);

        assertThat(settings.requestHeaderUidHeaders()).isEmpty();
        assertThat(settings.requestHeaderAllowedNames()).isEmpty();
        assertThat(settings.requestHeaderGroupHeaders()).isEmpty();
        assertThat(settings.clientCA()).isEmpty();
        assertThat(settings.requestHeaderUsernameHeaders()).containsExactly("X-Remote-User");
    }

    @Test
    void parse_missingRequestHeaderCa_failsNamingTheKey() {
        var data = published();
        data.remove("requestheader-client-ca-file");

        assertThatThrownBy(() -> ExtensionApiserverAuthentication.parse(data))
                .isInstanceOf(ExtensionApiserverAuthenticationException.class)
                .hasMessage("ConfigMap kube-system/extension-apiserver-authentication: key "
                        + "requestheader-client-ca-file is missing");
    }

    @Test
    void parse_missingUsernameHeaders_failsNamingTheKey() {
        var data = published();
        data.remove("requestheader-username-headers");

        assertThatThrownBy(() -> ExtensionApiserverAuthentication.parse(data))
                .isInstanceOf(ExtensionApiserverAuthenticationException.class)
                .hasMessageContaining("key requestheader-username-headers is missing");
    }

    @Test
    void parse_malformedJsonList_failsNamingTheKey() {
        for (String malformed : List.of("X-Remote-Group", "[\"X-Remote-Group\"", "[1]", "{\"a\": 1}",
                "[\"X-Remote-Group\"] trailing", "[\"a\"] [\"b\"]", "[\"\"]")) {
            var data = published();
            data.put("requestheader-group-headers", malformed);

            assertThatThrownBy(() -> ExtensionApiserverAuthentication.parse(data), malformed)
                    .isInstanceOf(ExtensionApiserverAuthenticationException.class)
                    .hasMessageContaining("key requestheader-group-headers is not a JSON list of non-empty strings");
        }
    }

    @Test
    void parse_badPem_failsNamingTheKey() {
        var data = published();
        data.put("client-ca-file",
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");

        assertThatThrownBy(() -> ExtensionApiserverAuthentication.parse(data))
                .isInstanceOf(ExtensionApiserverAuthenticationException.class)
                .hasMessageContaining("key client-ca-file is not valid PEM certificates");
    }

    @Test
    void parse_noPemAtAll_failsNamingTheKey() {
        var data = published();
        data.put("requestheader-client-ca-file", "not a certificate");

        assertThatThrownBy(() -> ExtensionApiserverAuthentication.parse(data))
                .isInstanceOf(ExtensionApiserverAuthenticationException.class)
                .hasMessageContaining("key requestheader-client-ca-file holds no PEM certificate");
    }

    @Test
    void fetch_configMapMissing_failsSayingSo() {
        assertThatThrownBy(() -> ExtensionApiserverAuthentication.fetch(access))
                .isInstanceOf(ExtensionApiserverAuthenticationException.class)
                .hasMessage("ConfigMap kube-system/extension-apiserver-authentication does not exist");
    }

    @Test
    void fetch_apiserverFails_throwsUnavailable() {
        apiserver.configMap(published());
        apiserver.failWith(500);

        assertThatThrownBy(() -> ExtensionApiserverAuthentication.fetch(access))
                .isInstanceOf(ReviewUnavailableException.class)
                .hasMessage("reading ConfigMap kube-system/extension-apiserver-authentication failed: "
                        + "the kube-apiserver answered HTTP 500");
    }
}
