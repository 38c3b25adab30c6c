package io.externalmetrics.adapter.apiserver;

import static io.externalmetrics.adapter.testing.FakeKubeApiServer.SUBJECT_ACCESS_REVIEWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.auth.Attributes;
import io.externalmetrics.adapter.auth.ReviewUnavailableException;
import io.externalmetrics.adapter.auth.UserInfo;
import io.externalmetrics.adapter.testing.Closer;
import io.externalmetrics.adapter.testing.FakeClock;
import io.externalmetrics.adapter.testing.FakeKubeApiServer;
import io.externalmetrics.adapter.testing.TestPki;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class KubernetesAccessTest {

    private static final UserInfo ALICE = UserInfo.of("alice", List.of());

    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private FakeKubeApiServer apiserver;

    @BeforeEach
    void setUp() {
        apiserver = closer.register(FakeKubeApiServer.start(dir));
    }

    /** An authorizer that keeps nothing, so every call is a request. */
    private static SubjectAccessReviewAuthorizer uncached(KubernetesAccess access) {
        return new SubjectAccessReviewAuthorizer(access, Duration.ZERO, Duration.ZERO);
    }

    @Test
    void fromKubeconfig_sendsTheKubeconfigsBearerToken() {
        Path kubeconfig = apiserver.writeKubeconfig(dir.resolve("other-kubeconfig"), "another-token");
        var access = closer.register(KubernetesAccess.fromKubeconfig(kubeconfig, KubernetesAccess.Timeouts.DEFAULT));

        uncached(access).authorize(ALICE, new Attributes.NonResource("/apis", "get"));

        assertThat(apiserver.requests(SUBJECT_ACCESS_REVIEWS).getFirst().authorization())
                .contains("Bearer another-token");
    }

    @Test
    void inCluster_rotatedToken_isSentOnceTheOldOneIsAMinuteOld() throws Exception {
        Path account = Files.createDirectories(dir.resolve("serviceaccount"));
        apiserver.ca().writeCertificate(account.resolve("ca.crt"));
        TestPki.replace(account.resolve("token"), "token-1\n");
        var access = closer.register(KubernetesAccess.inCluster("127.0.0.1", apiserver.port(), account,
                KubernetesAccess.Timeouts.DEFAULT, clock.ticker()));
        var authorizer = uncached(access);
        var apis = new Attributes.NonResource("/apis", "get");

        authorizer.authorize(ALICE, apis);
        TestPki.replace(account.resolve("token"), "token-2\n");
        authorizer.authorize(ALICE, apis);
        clock.forward(KubernetesAccess.TOKEN_REREAD);
        authorizer.authorize(ALICE, apis);

        assertThat(apiserver.requests(SUBJECT_ACCESS_REVIEWS)).extracting(r -> r.authorization().orElseThrow())
                .containsExactly("Bearer token-1", "Bearer token-1", "Bearer token-2");
    }

    @Test
    void inCluster_tokenFileGoneAfterARead_keepsTheTokenReadBefore() throws Exception {
        Path account = Files.createDirectories(dir.resolve("serviceaccount"));
        apiserver.ca().writeCertificate(account.resolve("ca.crt"));
        TestPki.replace(account.resolve("token"), "token-1");
        var access = closer.register(KubernetesAccess.inCluster("127.0.0.1", apiserver.port(), account,
                KubernetesAccess.Timeouts.DEFAULT, clock.ticker()));
        var authorizer = uncached(access);
        var apis = new Attributes.NonResource("/apis", "get");

        authorizer.authorize(ALICE, apis);
        Files.delete(account.resolve("token"));
        clock.forward(KubernetesAccess.TOKEN_REREAD);
        authorizer.authorize(ALICE, apis);

        assertThat(apiserver.requests(SUBJECT_ACCESS_REVIEWS)).extracting(r -> r.authorization().orElseThrow())
                .containsExactly("Bearer token-1", "Bearer token-1");
    }

    @Test
    void review_apiserverSlowerThanTheRequestTimeout_failsWithinIt() {
        var timeouts = new KubernetesAccess.Timeouts(Duration.ofSeconds(1), Duration.ofMillis(300));
        var access = closer.register(KubernetesAccess.fromKubeconfig(apiserver.kubeconfig(), timeouts));
        var gate = apiserver.hold();
        closer.register(gate::release);

        long start = System.nanoTime();
        assertThatThrownBy(() -> uncached(access).authorize(ALICE, new Attributes.NonResource("/apis", "get")))
                .isInstanceOf(ReviewUnavailableException.class)
                .hasMessage("SubjectAccessReview failed: the kube-apiserver did not answer in time");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void fromKubeconfig_missingFile_failsAtOnceNamingIt() {
        Path missing = dir.resolve("no-such-kubeconfig");

        assertThatThrownBy(() -> KubernetesAccess.fromKubeconfig(missing, KubernetesAccess.Timeouts.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void review_malformedKubeconfig_failsWithoutQuotingIt() throws Exception {
        Path kubeconfig = Files.writeString(dir.resolve("broken"), "users:\n- user: {token: secret-in-the-file\n");
        var access = closer.register(KubernetesAccess.fromKubeconfig(kubeconfig, KubernetesAccess.Timeouts.DEFAULT));

        assertThatThrownBy(() -> uncached(access).authorize(ALICE, new Attributes.NonResource("/apis", "get")))
                .isInstanceOf(ReviewUnavailableException.class)
                .hasMessageStartingWith("cannot set up the kube-apiserver client (")
                .hasNoCause()
                .message().doesNotContain("secret-in-the-file", kubeconfig.toString(), dir.toString());
    }

    @Test
    void review_afterClose_fails() {
        var access = KubernetesAccess.fromKubeconfig(apiserver.kubeconfig(), KubernetesAccess.Timeouts.DEFAULT);
        var authorizer = uncached(access);
        authorizer.authorize(ALICE, new Attributes.NonResource("/apis", "get"));

        access.close();

        assertThatThrownBy(() -> authorizer.authorize(ALICE, new Attributes.NonResource("/apis", "get")))
                .isInstanceOf(ReviewUnavailableException.class)
                .hasMessage("the kube-apiserver client is closed");
    }

    @Test
    void timeouts_outOfRange_failNamingThem() {
        assertThatThrownBy(() -> new KubernetesAccess.Timeouts(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("connect timeout");
    }

    /**
     * The adapter must not pay for fabric8 until it reviews: with only our own classes on a class loader (no
     * fabric8 jar at all), building the access, the authorizer and the authenticator works, and only the first
     * review reaches for fabric8.
     */
    @Test
    void construction_loadsNoFabric8Class() throws Exception {
        URL classes = KubernetesAccess.class.getProtectionDomain().getCodeSource().getLocation();
        try (var loader = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            Class<?> accessClass = loader.loadClass(KubernetesAccess.class.getName());
            Class<?> timeoutsClass = loader.loadClass(KubernetesAccess.Timeouts.class.getName());
            Object access = accessClass.getMethod("fromKubeconfig", Path.class, timeoutsClass)
                    .invoke(null, apiserver.kubeconfig(), timeoutsClass.getField("DEFAULT").get(null));
            Object authorizer = loader.loadClass(SubjectAccessReviewAuthorizer.class.getName())
                    .getConstructor(accessClass, Duration.class, Duration.class)
                    .newInstance(access, Duration.ofSeconds(10), Duration.ofSeconds(10));
            loader.loadClass(TokenReviewAuthenticator.class.getName())
                    .getConstructor(accessClass, Duration.class)
                    .newInstance(access, Duration.ofSeconds(10));

            Class<?> userClass = loader.loadClass(UserInfo.class.getName());
            Class<?> attributesClass = loader.loadClass(Attributes.class.getName());
            Object user = userClass.getMethod("of", String.class, List.class).invoke(null, "alice", List.of());
            Object attributes = loader.loadClass(Attributes.NonResource.class.getName())
                    .getConstructor(String.class, String.class).newInstance("/apis", "get");
            var authorize = authorizer.getClass().getMethod("authorize", userClass, attributesClass);
            assertThatThrownBy(() -> authorize.invoke(authorizer, user, attributes))
                    .isInstanceOf(InvocationTargetException.class)
                    .cause().isInstanceOf(NoClassDefFoundError.class).hasMessageContaining("io/fabric8/");
        }
    }
}
