package io.externalmetrics.adapter.apiserver;

import static io.externalmetrics.adapter.testing.FakeKubeApiServer.TOKEN_REVIEWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.auth.ReviewUnavailableException;
import io.externalmetrics.adapter.auth.UserInfo;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.Closer;
import io.externalmetrics.adapter.testing.FakeClock;
import io.externalmetrics.adapter.testing.FakeKubeApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TokenReviewAuthenticatorTest {

    /** A held review must outlast every caller joining it on a loaded machine, not fail at 3s. */
    private static final KubernetesAccess.Timeouts PATIENT =
            new KubernetesAccess.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(60));

    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.a-caller-token";
    private static final UserInfo HPA = new UserInfo("system:serviceaccount:kube-system:horizontal-pod-autoscaler",
            "8c1f", List.of("system:serviceaccounts", "system:authenticated"),
            Map.of("authentication.kubernetes.io/pod-name", List.of("hpa-0")));
    private static final Duration TTL = Duration.ofSeconds(10);

    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private FakeKubeApiServer apiserver;
    private TokenReviewAuthenticator authenticator;

    @BeforeEach
    void setUp() {
        apiserver = closer.register(FakeKubeApiServer.start(dir));
        var access = closer.register(KubernetesAccess.fromKubeconfig(apiserver.kubeconfig(),
                PATIENT));
        authenticator = new TokenReviewAuthenticator(access, TTL, 100, clock.ticker());
    }

    @Test
    void authenticate_acceptedToken_returnsItsUser() {
        apiserver.token(TOKEN, HPA);

        assertThat(authenticator.authenticate(TOKEN)).contains(HPA);
        var request = apiserver.requests(TOKEN_REVIEWS).getFirst();
        assertThat(request.body().path("apiVersion").asText()).isEqualTo("authentication.k8s.io/v1");
        assertThat(request.spec().path("token").asText()).isEqualTo(TOKEN);
        assertThat(request.authorization()).contains("Bearer " + FakeKubeApiServer.KUBECONFIG_TOKEN);
    }

    @Test
    void authenticate_rejectedToken_returnsEmpty() {
        assertThat(authenticator.authenticate("not-a-token")).isEmpty();
    }

    @Test
    void authenticate_notAuthenticatedThoughAUserIsNamed_returnsEmpty() {
        apiserver.answerRaw(201, """
                {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                 "status": {"authenticated": false, "user": {"username": "mallory"}, "error": "token expired"}}""");

        assertThat(authenticator.authenticate(TOKEN)).isEmpty();
    }

    @Test
    void authenticate_emptyToken_isRejectedWithoutReview() {
        assertThat(authenticator.authenticate("")).isEmpty();
        assertThat(apiserver.count(TOKEN_REVIEWS)).isZero();
    }

    @Test
    void authenticate_resultsAreKeptForTheTtlThenReviewedAgain() {
        apiserver.token(TOKEN, HPA);

        authenticator.authenticate(TOKEN);
        authenticator.authenticate("rejected");
        clock.forward(TTL.minusSeconds(1));
        assertThat(authenticator.authenticate(TOKEN)).contains(HPA);
        assertThat(authenticator.authenticate("rejected")).isEmpty();
        assertThat(apiserver.count(TOKEN_REVIEWS)).isEqualTo(2);

        clock.forward(Duration.ofSeconds(1));
        assertThat(authenticator.authenticate(TOKEN)).contains(HPA);
        assertThat(apiserver.count(TOKEN_REVIEWS)).isEqualTo(3);
    }

    @Test
    void authenticate_keepsTheTokensDigestNeverTheToken() {
        apiserver.token(TOKEN, HPA);

        authenticator.authenticate(TOKEN);

        @SuppressWarnings("unchecked")
        var cache = (ReviewCache<Object, Optional<UserInfo>>) authenticator.cache();
        assertThat(cache.contains(TokenReviewAuthenticator.digest(TOKEN))).isTrue();
        assertThat(TokenReviewAuthenticator.digest(TOKEN).toString()).doesNotContain(TOKEN)
                .contains("0db110f317775ce3c8a2671a7d3390b95ab1d148653a6253d35c0a460f87193b");
    }

    @Test
    void authenticate_concurrentChecksOfOneToken_makeOneReview() throws Exception {
        apiserver.token(TOKEN, HPA);
        var gate = apiserver.hold();
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        closer.register(executor::shutdownNow);
        List<Future<Optional<UserInfo>>> users = new ArrayList<>();

        for (int i = 0; i < 5; i++) {
            users.add(executor.submit(() -> authenticator.authenticate(TOKEN)));
        }
        Await.until("one review held, four callers waiting", Duration.ofSeconds(10),
                () -> gate.arrived() == 1 && authenticator.cache().waiting() == 4);
        gate.release();

        for (var user : users) {
            assertThat(user.get()).contains(HPA);
        }
        assertThat(apiserver.count(TOKEN_REVIEWS)).isEqualTo(1);
    }

    @Test
    void authenticate_apiserverFails_throwsUnavailableWithoutTheTokenAndKeepsNothing() {
        apiserver.token(TOKEN, HPA);
        apiserver.failWith(503);

        assertThatThrownBy(() -> authenticator.authenticate(TOKEN))
                .isInstanceOf(ReviewUnavailableException.class)
                .hasMessage("TokenReview failed: the kube-apiserver answered HTTP 503");

        apiserver.recover();
        assertThat(authenticator.authenticate(TOKEN)).contains(HPA);
        assertThat(apiserver.count(TOKEN_REVIEWS)).isEqualTo(2);
    }

    @Test
    void authenticate_apiserverDown_throwsUnavailable() {
        apiserver.stop();

        assertThatThrownBy(() -> authenticator.authenticate(TOKEN))
                .isInstanceOf(ReviewUnavailableException.class)
                .hasMessageStartingWith("TokenReview failed: cannot connect to the kube-apiserver")
                .message().doesNotContain(TOKEN);
        assertThat(authenticator.cache().size()).isZero();
    }
}
