package io.externalmetrics.adapter.apiserver;

import static io.externalmetrics.adapter.testing.FakeKubeApiServer.SUBJECT_ACCESS_REVIEWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.externalmetrics.adapter.auth.Attributes;
import io.externalmetrics.adapter.auth.Decision;
import io.externalmetrics.adapter.auth.ReviewUnavailableException;
import io.externalmetrics.adapter.auth.UserInfo;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.Closer;
import io.externalmetrics.adapter.testing.FakeClock;
import io.externalmetrics.adapter.testing.FakeKubeApiServer;
import io.externalmetrics.adapter.testing.FakeKubeApiServer.SarStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SubjectAccessReviewAuthorizerTest {

    /** A held review must outlast every caller joining it on a loaded machine, not fail at 3s. */
    private static final KubernetesAccess.Timeouts PATIENT =
            new KubernetesAccess.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(60));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final UserInfo ALICE = new UserInfo("alice", "uid-1", List.of("team-a", "system:authenticated"),
            Map.of("scopes.example.com", List.of("read", "list")));
    private static final Attributes.Resource READ_QUEUE = new Attributes.Resource(
            "list", "external.metrics.k8s.io", "v1beta1", "queue_depth", "team-a");
    private static final Attributes.NonResource APIS = new Attributes.NonResource("/apis", "get");
    private static final Duration ALLOWED_TTL = Duration.ofMinutes(5);
    private static final Duration DENIED_TTL = Duration.ofSeconds(30);

    @RegisterExtension
    final Closer closer = new Closer();
    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private FakeKubeApiServer apiserver;
    private KubernetesAccess access;

    @BeforeEach
    void setUp() {
        apiserver = closer.register(FakeKubeApiServer.start(dir));
        access = closer.register(KubernetesAccess.fromKubeconfig(apiserver.kubeconfig(),
                PATIENT));
    }

    private SubjectAccessReviewAuthorizer authorizer(int maxEntries) {
        return new SubjectAccessReviewAuthorizer(access, ALLOWED_TTL, DENIED_TTL, maxEntries, clock.ticker());
    }

    private SubjectAccessReviewAuthorizer authorizer() {
        return authorizer(100);
    }

    @Test
    void authorize_resourceRequest_sendsExactlyItsAttributesAndTheUser() throws Exception {
        apiserver.allow("alice", READ_QUEUE);

        Decision decision = authorizer().authorize(ALICE, READ_QUEUE);

        assertThat(decision).isEqualTo(Decision.allow("fake: allowed by rule"));
        var request = apiserver.requests(SUBJECT_ACCESS_REVIEWS).getFirst();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.body().path("apiVersion").asText()).isEqualTo("authorization.k8s.io/v1");
        assertThat(request.body().path("kind").asText()).isEqualTo("SubjectAccessReview");
        assertThat(request.spec()).isEqualTo(JSON.readTree("""
                {"user": "alice", "uid": "uid-1", "groups": ["team-a", "system:authenticated"],
                 "extra": {"scopes.example.com": ["read", "list"]},
                 "resourceAttributes": {"verb": "list", "group": "external.metrics.k8s.io", "version": "v1beta1",
                                        "resource": "queue_depth", "namespace": "team-a"}}"""));
    }

    @Test
    void authorize_nonResourceRequest_sendsPathAndVerbOnly() throws Exception {
        apiserver.allow("bob", APIS);

        Decision decision = authorizer().authorize(UserInfo.of("bob", List.of()), APIS);

        assertThat(decision.allowed()).isTrue();
        assertThat(apiserver.requests(SUBJECT_ACCESS_REVIEWS).getFirst().spec()).isEqualTo(JSON.readTree("""
                {"user": "bob", "nonResourceAttributes": {"path": "/apis", "verb": "get"}}"""));
    }

    @Test
    void authorize_kubeconfigBearerToken_isSent() {
        authorizer().authorize(ALICE, APIS);

        assertThat(apiserver.requests(SUBJECT_ACCESS_REVIEWS).getFirst().authorization())
                .contains("Bearer " + FakeKubeApiServer.KUBECONFIG_TOKEN);
    }

    @Test
    void authorize_denied_returnsDenyWithTheReason() {
        apiserver.policy((user, attributes) -> SarStatus.deny("RBAC: no binding for " + user.name()));

        assertThat(authorizer().authorize(ALICE, READ_QUEUE)).isEqualTo(Decision.deny("RBAC: no binding for alice"));
    }

    @Test
    void authorize_evaluationErrorAndNotAllowed_isDenyWithTheReason() {
        apiserver.policy((user, attributes) -> new SarStatus(false, false, "no rule matched",
                "role.rbac.authorization.k8s.io \"reader\" not found"));

        assertThat(authorizer().authorize(ALICE, READ_QUEUE)).isEqualTo(Decision.deny("no rule matched"));
    }

    @Test
    void authorize_allowedAndDenied_isDeny() {
        apiserver.policy((user, attributes) -> new SarStatus(true, true, "both", ""));

        assertThat(authorizer().authorize(ALICE, READ_QUEUE).allowed()).isFalse();
    }

    @Test
    void authorize_allowed_isKeptForAllowedTtlThenReviewedAgain() {
        apiserver.allow("alice", READ_QUEUE);
        var authorizer = authorizer();

        authorizer.authorize(ALICE, READ_QUEUE);
        clock.forward(ALLOWED_TTL.minusSeconds(1));
        assertThat(authorizer.authorize(ALICE, READ_QUEUE).allowed()).isTrue();
        assertThat(apiserver.count(SUBJECT_ACCESS_REVIEWS)).isEqualTo(1);

        clock.forward(Duration.ofSeconds(1));
        assertThat(authorizer.authorize(ALICE, READ_QUEUE).allowed()).isTrue();
        assertThat(apiserver.count(SUBJECT_ACCESS_REVIEWS)).isEqualTo(2);
    }

    @Test
    void authorize_aCallerChosenLongPath_isReviewedEachTime_notKept() {
        var authorizer = authorizer();
        var longPath = new Attributes.NonResource("/" + "a".repeat(SubjectAccessReviewAuthorizer.MAX_KEPT_KEY_CHARS),
                "get");
        var shortPath = new Attributes.NonResource("/apis", "get");

        authorizer.authorize(ALICE, longPath);
        authorizer.authorize(ALICE, longPath);
        authorizer.authorize(ALICE, shortPath);
        authorizer.authorize(ALICE, shortPath);

        assertThat(apiserver.count(SUBJECT_ACCESS_REVIEWS)).isEqualTo(3);
        assertThat(authorizer.cache().size()).isEqualTo(1);
    }

    @Test
    void authorize_denied_isKeptForDeniedTtlOnly() {
        var authorizer = authorizer();

        authorizer.authorize(ALICE, READ_QUEUE);
        clock.forward(DENIED_TTL.minusSeconds(1));
        assertThat(authorizer.authorize(ALICE, READ_QUEUE).allowed()).isFalse();
        assertThat(apiserver.count(SUBJECT_ACCESS_REVIEWS)).isEqualTo(1);

        apiserver.allow("alice", READ_QUEUE);
        clock.forward(Duration.ofSeconds(1));
        assertThat(authorizer.authorize(ALICE, READ_QUEUE).allowed()).isTrue();
        assertThat(apiserver.count(SUBJECT_ACCESS_REVIEWS)).isEqualTo(2);
    }

    @Test
    void authorize_sameNameOtherGroupsOrAttributes_isReviewedSeparately() {
        var authorizer = authorizer();

        authorizer.authorize(ALICE, READ_QUEUE);
        authorizer.authorize(new UserInfo("alice", "uid-1", List.of("team-b"), ALICE.extra()), READ_QUEUE);
        authorizer.authorize(new UserInfo("alice", "uid-2", ALICE.groups(), ALICE.extra()), READ_QUEUE);
        authorizer.authorize(new UserInfo("alice", "uid-1", ALICE.groups(), Map.of()), READ_QUEUE);
        authorizer.authorize(ALICE, new Attributes.Resource("list", "external.metrics.k8s.io", "v1beta1",
                "queue_depth", "team-b"));
        authorizer.authorize(ALICE, READ_QUEUE);

        assertThat(apiserver.count(SUBJECT_ACCESS_REVIEWS)).isEqualTo(5);
        assertThat(apiserver.accessReviews().getFirst())
                .isEqualTo(new FakeKubeApiServer.AccessReview(ALICE, READ_QUEUE));
    }

    @Test
    void authorize_concurrentIdenticalMisses_makeOneReviewAndShareItsResult() throws Exception {
        apiserver.allow("alice", READ_QUEUE);
        var authorizer = authorizer();
        var gate = apiserver.hold();
        int callers = 8;
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        closer.register(executor::shutdownNow);
        List<Future<Decision>> decisions = new ArrayList<>();

        for (int i = 0; i < callers; i++) {
            decisions.add(executor.submit(() -> authorizer.authorize(ALICE, READ_QUEUE)));
        }
        Await.until("one review held and the other callers waiting for it", Duration.ofSeconds(10),
                () -> gate.arrived() == 1 && authorizer.cache().waiting() == callers - 1);
        gate.release();

        for (Future<Decision> decision : decisions) {
            assertThat(decision.get()).isEqualTo(Decision.allow("fake: allowed by rule"));
        }
        assertThat(apiserver.count(SUBJECT_ACCESS_REVIEWS)).isEqualTo(1);
    }

    @Test
    void authorize_concurrentMissesWhileTheReviewFails_allFailAndNothingIsKept() throws Exception {
        var authorizer = authorizer();
        apiserver.failWith(500);
        var gate = apiserver.hold();
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        closer.register(executor::shutdownNow);

        Future<Decision> first = executor.submit(() -> authorizer.authorize(ALICE, READ_QUEUE));
        Future<Decision> second = executor.submit(() -> authorizer.authorize(ALICE, READ_QUEUE));
        Await.until("one review held, one caller waiting", Duration.ofSeconds(10),
                () -> gate.arrived() == 1 && authorizer.cache().waiting() == 1);
        gate.release();

        for (Future<Decision> decision : List.of(first, second)) {
            assertThatThrownBy(decision::get).hasCauseInstanceOf(ReviewUnavailableException.class);
        }
        assertThat(authorizer.cache().size()).isZero();
    }

    @Test
    void authorize_apiserverAnswers500_throwsUnavailableAndIsNotKept() {
        apiserver.allow("alice", READ_QUEUE);
        var authorizer = authorizer();
        apiserver.failWith(500);

        assertThatThrownBy(() -> authorizer.authorize(ALICE, READ_QUEUE))
                .isInstanceOf(ReviewUnavailableException.class)
                .hasMessage("SubjectAccessReview failed: the kube-apiserver answered HTTP 500");

        apiserver.recover();
        assertThat(authorizer.authorize(ALICE, READ_QUEUE).allowed()).isTrue();
        assertThat(apiserver.count(SUBJECT_ACCESS_REVIEWS)).isEqualTo(2);
    }

    @Test
    void authorize_apiserverDown_throwsUnavailableWithoutCredentials() {
        var authorizer = authorizer();
        apiserver.stop();

        assertThatThrownBy(() -> authorizer.authorize(ALICE, READ_QUEUE))
                .isInstanceOf(ReviewUnavailableException.class)
                .hasMessageStartingWith("SubjectAccessReview failed: cannot connect to the kube-apiserver")
                .message().doesNotContain(FakeKubeApiServer.KUBECONFIG_TOKEN);
        assertThat(authorizer.cache().size()).isZero();
    }

    @Test
    void authorize_malformedAnswer_throwsUnavailable() {
        var authorizer = authorizer();
        apiserver.answerRaw(201, "{\"kind\": \"SubjectAccessReview\", \"status\": [not json");

        assertThatThrownBy(() -> authorizer.authorize(ALICE, READ_QUEUE))
                .isInstanceOf(ReviewUnavailableException.class)
                .hasMessage("SubjectAccessReview failed: the kube-apiserver's answer is malformed");
    }

    @Test
    void authorize_answerWithoutStatus_throwsUnavailable() {
        var authorizer = authorizer();
        apiserver.answerRaw(201, "{\"apiVersion\": \"authorization.k8s.io/v1\", \"kind\": \"SubjectAccessReview\"}");

        assertThatThrownBy(() -> authorizer.authorize(ALICE, READ_QUEUE))
                .isInstanceOf(ReviewUnavailableException.class)
                .hasMessageContaining("has no status");
    }

    @Test
    void authorize_moreDecisionsThanMaxEntries_keepsTheNewest() {
        var authorizer = authorizer(2);
        List<Attributes> paths = List.of(new Attributes.NonResource("/a", "get"),
                new Attributes.NonResource("/b", "get"), new Attributes.NonResource("/c", "get"));

        paths.forEach(path -> authorizer.authorize(ALICE, path));
        assertThat(authorizer.cache().size()).isEqualTo(2);
        authorizer.authorize(ALICE, paths.get(2));
        authorizer.authorize(ALICE, paths.get(1));
        assertThat(apiserver.count(SUBJECT_ACCESS_REVIEWS)).isEqualTo(3);

        authorizer.authorize(ALICE, paths.get(0));
        assertThat(apiserver.count(SUBJECT_ACCESS_REVIEWS)).isEqualTo(4);
    }

    @Test
    void constructor_negativeTtl_failsNamingIt() {
        assertThatThrownBy(() -> new SubjectAccessReviewAuthorizer(access, Duration.ofSeconds(-1), DENIED_TTL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowedTTL");
    }
}
