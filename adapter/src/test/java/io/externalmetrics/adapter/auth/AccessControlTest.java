package io.externalmetrics.adapter.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.security.ClientCaBundle;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.adapter.testing.TestPki.Issued;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The order of the checks and what each answers, without a server. */
class AccessControlTest {

    private static final Attributes READ =
            new Attributes.Resource("list", "external.metrics.k8s.io", "v1beta1", "queue-depth", "default");

    private final Issued proxyCa = TestPki.ca("front-proxy-ca");
    private final Issued proxy = proxyCa.issueClient("CN=front-proxy-client");
    private final List<UserInfo> reviewed = new ArrayList<>();

    /** A request as the HTTP layer describes it. */
    private record Request(List<String> paths, Attributes attributes, Map<String, List<String>> headerMap,
                           List<X509Certificate> peerCertificates) implements AuthRequest {

        @Override
        public List<String> headers(String name) {
            return headerMap.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).toList();
        }

        @Override
        public Set<String> headerNames() {
            return headerMap.keySet();
        }
    }

    private static Request request(String path, List<X509Certificate> chain, String... headers) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            map.computeIfAbsent(headers[i], k -> new ArrayList<>()).add(headers[i + 1]);
        }
        return new Request(List.of(path), READ, map, chain);
    }

    private AccessControl access(Authorizer authorizer, List<String> alwaysAllowPaths) {
        var proxyHeaders = new RequestHeaderAuthenticator(new RequestHeaderSettings(
                ClientCaBundle.of(List.of(proxyCa.certificate())), List.of("front-proxy-client"),
                List.of("X-Remote-User", "X-User"), List.of("X-Remote-Uid"), List.of("X-Remote-Group"),
                List.of("X-Remote-Extra-")), Clock.systemUTC());
        return AccessControl.of(List.of(proxyHeaders), (user, attributes) -> {
            reviewed.add(user);
            return authorizer.authorize(user, attributes);
        }, alwaysAllowPaths, List.of("system:masters"));
    }

    @Test
    void frontProxyHeaders_firstNonEmptyUser_everyGroup_extraKeysLowerCasedAndUnescaped() {
        AccessControl access = access((user, attributes) -> Decision.allow(""), List.of());

        Outcome outcome = access.check(request("/x", List.of(proxy.certificate()), "X-Remote-User", "",
                "X-User", "alice", "X-Remote-Group", "a", "X-Remote-Group", "", "X-Remote-Group", "b",
                "x-remote-extra-Scopes", "s1", "X-Remote-Extra-Acme.com%2FTeam", "t", "X-Remote-Extra-bad%zz", "v"));

        assertThat(outcome).isEqualTo(new Outcome.Allowed(Optional.of(new UserInfo("alice", "", List.of("a", "b"),
                Map.of("scopes", List.of("s1"), "acme.com/team", List.of("t"), "bad%zz", List.of("v"))))));
    }

    @Test
    void alwaysAllowPaths_exactOrPrefix_andEveryFormMustMatch() {
        AccessControl access = access((user, attributes) -> Decision.deny(""), List.of("/healthz", "/livez/*"));

        assertThat(access.check(request("/healthz", List.of()))).isEqualTo(new Outcome.Allowed(Optional.empty()));
        assertThat(access.check(request("/livez/ping", List.of()))).isInstanceOf(Outcome.Allowed.class);
        assertThat(access.check(request("/healthzz", List.of()))).isInstanceOf(Outcome.Unauthenticated.class);
        assertThat(access.check(new Request(List.of("/apis", "/livez/../apis"), READ, Map.of(), List.of())))
                .isInstanceOf(Outcome.Unauthenticated.class);
    }

    @Test
    void alwaysAllowGroups_skipTheAuthorizer() {
        AccessControl access = access((user, attributes) -> Decision.deny(""), List.of());

        Outcome outcome = access.check(request("/x", List.of(proxy.certificate()), "X-Remote-User", "root",
                "X-Remote-Group", "system:masters"));

        assertThat(outcome).isInstanceOf(Outcome.Allowed.class);
        assertThat(reviewed).isEmpty();
    }

    @Test
    void anAuthorizerThatFails_isUnavailable_neverAllowed_sayingWhyOnlyForAReviewFailure() {
        AccessControl reviewDown = access((user, attributes) -> {
            throw new ReviewUnavailableException("SubjectAccessReview failed: the kube-apiserver answered HTTP 500");
        }, List.of());
        AccessControl broken = access((user, attributes) -> {
            throw new IllegalStateException("bug /etc/kubernetes/admin.conf");
        }, List.of());

        Outcome down = reviewDown.check(request("/x", List.of(proxy.certificate()), "X-Remote-User", "alice"));
        Outcome bug = broken.check(request("/x", List.of(proxy.certificate()), "X-Remote-User", "alice"));

        // a review's message is written to be shown (no secrets); any other exception's is not
        assertThat(down).isInstanceOf(Outcome.Unavailable.class);
        assertThat(((Outcome.Unavailable) down).message()).isEqualTo("the request could not be authorized "
                + "(SubjectAccessReview failed: the kube-apiserver answered HTTP 500); try again later");
        assertThat(bug).isInstanceOf(Outcome.Unavailable.class);
        assertThat(((Outcome.Unavailable) bug).message()).doesNotContain("/etc", "bug");
    }

    @Test
    void forbiddenMessage_isKubernetes() {
        UserInfo alice = UserInfo.of("alice", List.of());

        assertThat(AccessControl.forbiddenMessage(alice, READ, "")).isEqualTo("queue-depth.external.metrics.k8s.io "
                + "is forbidden: User \"alice\" cannot list resource \"queue-depth\" in API group "
                + "\"external.metrics.k8s.io\" in the namespace \"default\"");
        assertThat(AccessControl.forbiddenMessage(alice, new Attributes.NonResource("/apis", "get"), "RBAC: no"))
                .isEqualTo("forbidden: User \"alice\" cannot get path \"/apis\": RBAC: no");
        assertThat(AccessControl.forbiddenMessage(alice, new Attributes.NonResource("/<b>", "get"), ""))
                .isEqualTo("forbidden: User \"alice\" cannot get path \"/&lt;b&gt;\"");
    }

    @Test
    void bearerToken_schemeInAnyCase_emptyTokenIgnored() {
        List<String> seen = new ArrayList<>();
        var bearer = new BearerTokenAuthenticator(token -> {
            seen.add(token);
            return Optional.of(UserInfo.of("t", List.of()));
        });

        assertThat(bearer.authenticate(request("/x", List.of(), "Authorization", "bearer abc"))).isPresent();
        assertThat(bearer.authenticate(request("/x", List.of(), "Authorization", "Bearer "))).isEmpty();
        assertThat(bearer.authenticate(request("/x", List.of(), "Authorization", "Basic YTpi"))).isEmpty();
        assertThat(seen).containsExactly("abc");
    }
}
