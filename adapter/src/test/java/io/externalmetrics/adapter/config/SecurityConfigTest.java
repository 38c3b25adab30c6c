package io.externalmetrics.adapter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The authentication, authorization and kubernetes sections: defaults, every field, and errors naming it. */
class SecurityConfigTest {

    private static final String PROVIDERS = "providers: [{name: p, target: 127.0.0.1:50051}]\n";

    @TempDir
    Path dir;
    private Path ca;

    @BeforeEach
    void writeCa() {
        ca = TestPki.ca("front-proxy-ca").writeCertificate(dir.resolve("ca.crt"));
    }

    private AdapterConfig parse(String yaml) {
        return ConfigLoader.parse(PROVIDERS + yaml.replace("$CA", ca.toString()));
    }

    private void assertRejected(String yaml, String... messageParts) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessageContainingAll(messageParts);
    }

    @Test
    void parse_noAuthentication_checksNothing() {
        assertThat(parse("").security()).isEqualTo(SecurityConfig.NONE);
        assertThat(SecurityConfig.NONE.authentication()).isEmpty();
        assertThat(new AdapterConfig(ServerConfig.defaults(), List.of()).security()).isEqualTo(SecurityConfig.NONE);
    }

    @Test
    void parse_requestHeaderOnly_usesKubernetesDefaultsAndReviews() {
        SecurityConfig security = parse("authentication: {requestHeader: {clientCAFile: $CA}}").security();

        AuthenticationConfig authentication = security.authentication().orElseThrow();
        RequestHeaderConfig requestHeader = authentication.requestHeader().orElseThrow();
        assertThat(requestHeader.clientCAFile()).contains(ca);
        assertThat(requestHeader.fromCluster()).isFalse();
        assertThat(requestHeader.allowedNames()).isEmpty();
        assertThat(requestHeader.usernameHeaders()).containsExactly("X-Remote-User");
        assertThat(requestHeader.uidHeaders()).containsExactly("X-Remote-Uid");
        assertThat(requestHeader.groupHeaders()).containsExactly("X-Remote-Group");
        assertThat(requestHeader.extraHeaderPrefixes()).containsExactly("X-Remote-Extra-");
        assertThat(authentication.clientCAFile()).isEmpty();
        assertThat(authentication.tokenReview()).isFalse();
        assertThat(authentication.cacheTTL()).isEqualTo(Duration.ofSeconds(10));
        // secure by default: authentication without authorization means SubjectAccessReview
        AuthorizationConfig authorization = security.authorization();
        assertThat(authorization.mode()).isEqualTo(AuthorizationConfig.Mode.SUBJECT_ACCESS_REVIEW);
        assertThat(authorization.allowedTTL()).isEqualTo(Duration.ofSeconds(10));
        assertThat(authorization.deniedTTL()).isEqualTo(Duration.ofSeconds(10));
        assertThat(authorization.alwaysAllowPaths())
                .containsExactly("/healthz", "/livez", "/readyz", "/livez/*", "/readyz/*", "/healthz/*");
        assertThat(authorization.alwaysAllowGroups()).containsExactly("system:masters");
        assertThat(security.kubernetes().kubeconfig()).isEmpty();
        assertThat(security.needsKubernetes()).isTrue();
    }

    @Test
    void parse_everyField_isRead() {
        SecurityConfig security = parse("""
                authentication:
                  requestHeader:
                    clientCAFile: $CA
                    allowedNames: [front-proxy-client, aggregator]
                    usernameHeaders: [X-User, X-Remote-User]
                    uidHeaders: []
                    groupHeaders: [X-Group]
                    extraHeaderPrefixes: [X-Extra-]
                  clientCAFile: $CA
                  tokenReview: true
                  cacheTTL: 1m
                authorization:
                  mode: AlwaysAllow
                  allowedTTL: 5m
                  deniedTTL: 30s
                  alwaysAllowPaths: [/healthz, /debug/*]
                  alwaysAllowGroups: []
                kubernetes:
                  kubeconfig: /etc/kubeconfig
                """).security();

        assertThat(security.authentication()).contains(new AuthenticationConfig(
                Optional.of(new RequestHeaderConfig(Optional.of(ca), false, List.of("front-proxy-client", "aggregator"),
                        List.of("X-User", "X-Remote-User"), List.of(), List.of("X-Group"), List.of("X-Extra-"))),
                Optional.of(ca), true, Duration.ofMinutes(1)));
        assertThat(security.authorization()).isEqualTo(new AuthorizationConfig(AuthorizationConfig.Mode.ALWAYS_ALLOW,
                Duration.ofMinutes(5), Duration.ofSeconds(30), List.of("/healthz", "/debug/*"), List.of()));
        assertThat(security.kubernetes().kubeconfig()).contains(Path.of("/etc/kubeconfig"));
        assertThat(security.needsKubernetes()).isTrue();
    }

    @Test
    void parse_clientCertificatesAndAlwaysAllow_needNoKubernetes() {
        SecurityConfig security = parse("authentication: {clientCAFile: $CA}\nauthorization: {mode: AlwaysAllow}")
                .security();

        assertThat(security.needsKubernetes()).isFalse();
    }

    @Test
    void parse_errors_nameTheirField() {
        assertRejected("authentication: {requestHeader: {}}", "authentication.requestHeader:", "exactly one of");
        assertRejected("authentication: {requestHeader: {clientCAFile: $CA, fromCluster: true}}",
                "authentication.requestHeader:", "exactly one of");
        for (String key : List.of("allowedNames", "usernameHeaders", "uidHeaders", "groupHeaders",
                "extraHeaderPrefixes")) {
            assertRejected("authentication: {requestHeader: {fromCluster: true, " + key + ": [X]}}",
                    "authentication.requestHeader." + key + ": not used with fromCluster: true",
                    "extension-apiserver-authentication");
        }
        assertRejected("authentication: {requestHeader: {clientCAFile: /nope/ca.crt}}",
                "authentication.requestHeader.clientCAFile:", "/nope/ca.crt", "not found");
        assertRejected("authentication: {clientCAFile: /nope/ca.crt}", "authentication.clientCAFile:", "not found");
        assertRejected("authentication: {requestHeader: {clientCAFile: $CA, usernameHeader: [X]}}",
                "authentication.requestHeader: unknown key \"usernameHeader\"");
        assertRejected("authentication: {requestHeader: {clientCAFile: $CA, usernameHeaders: []}}",
                "authentication.requestHeader.usernameHeaders: must name at least one header");
        assertRejected("authentication: {requestHeader: {clientCAFile: $CA, groupHeaders: [\"X Group\"]}}",
                "authentication.requestHeader.groupHeaders[0]:", "not an HTTP header name");
        assertRejected("authentication: {requestHeader: {clientCAFile: $CA, allowedNames: a}}",
                "authentication.requestHeader.allowedNames: expected a list");
        assertRejected("authentication: {requestHeader: {clientCAFile: $CA, fromCluster: yes please}}",
                "authentication.requestHeader.fromCluster: expected true or false");
        assertRejected("authentication: {tokenReview: maybe}", "authentication.tokenReview: expected true or false");
        assertRejected("authentication: {tokenReview: true, cacheTTL: 0s}",
                "authentication.cacheTTL: must be positive");
        assertRejected("authentication: {tokenReview: true, cacheTTL: soon}", "authentication.cacheTTL:");
        assertRejected("authentication: {tokenReview: false}", "authentication:", "at least one of");
        assertRejected("authentication:", "authentication:", "at least one of");
        assertRejected("authentication: {tokenreview: true}", "authentication: unknown key \"tokenreview\"");
        assertRejected("authorization: {mode: AlwaysAllow}", "authorization: needs authentication");
        assertRejected("authentication: {tokenReview: true}\nauthorization: {mode: Always}",
                "authorization.mode: \"Always\" is not one of SubjectAccessReview, AlwaysAllow");
        assertRejected("authentication: {tokenReview: true}\nauthorization: {allowedTTL: -1s}",
                "authorization.allowedTTL:");
        assertRejected("authentication: {tokenReview: true}\nauthorization: {deniedTTL: 25h}",
                "authorization.deniedTTL:", "longer than the limit");
        assertRejected("authentication: {tokenReview: true}\nauthorization: {alwaysAllowPaths: [/ok, healthz]}",
                "authorization.alwaysAllowPaths[1]:", "does not start with '/'");
        assertRejected("authentication: {tokenReview: true}\nauthorization: {alwaysAllowPaths: [\"/a*b\"]}",
                "authorization.alwaysAllowPaths[0]:", "only a trailing '*'");
        assertRejected("authentication: {tokenReview: true}\nauthorization: {alwaysAllowGroups: [[a]]}",
                "authorization.alwaysAllowGroups[0]: expected a single value");
        assertRejected("authentication: {tokenReview: true}\nauthorization: {allow: true}",
                "authorization: unknown key \"allow\"");
        assertRejected("kubernetes: {kubeConfig: /x}", "kubernetes: unknown key \"kubeConfig\"");
        assertRejected("kubernetes: {kubeconfig: [a]}", "kubernetes.kubeconfig: expected a single value");
        assertRejected("authenticaton: {tokenReview: true}", "unknown key \"authenticaton\"");
    }
}
