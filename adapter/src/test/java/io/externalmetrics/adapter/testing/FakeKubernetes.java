package io.externalmetrics.adapter.testing;

import io.externalmetrics.adapter.KubernetesServices;
import io.externalmetrics.adapter.auth.Attributes;
import io.externalmetrics.adapter.auth.Authorizer;
import io.externalmetrics.adapter.auth.Decision;
import io.externalmetrics.adapter.auth.RequestHeaderAuthenticator;
import io.externalmetrics.adapter.auth.ReviewUnavailableException;
import io.externalmetrics.adapter.auth.TokenAuthenticator;
import io.externalmetrics.adapter.auth.UserInfo;
import io.externalmetrics.adapter.config.AuthenticationConfig;
import io.externalmetrics.adapter.config.AuthorizationConfig;
import io.externalmetrics.adapter.config.KubernetesConfig;
import io.externalmetrics.adapter.config.RequestHeaderConfig;
import io.externalmetrics.adapter.security.ClientCaBundle;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Stands in for the kube-apiserver: an authorizer that allows the users it is told to and records
 * every review it is asked for, and a token checker that knows a few tokens. Either can be made
 * unreachable, as a kube-apiserver that does not answer.
 */
public final class FakeKubernetes implements KubernetesServices {

    /** A token {@link #tokenReview} accepts, for {@link #TOKEN_USER}. */
    public static final String GOOD_TOKEN = "good-token";
    public static final UserInfo TOKEN_USER =
            new UserInfo("token-user", "uid-7", List.of("token-group"), Map.of("scopes", List.of("read")));

    /** One review the authorizer was asked for. */
    public record Review(UserInfo user, Attributes attributes) {
    }

    private final Set<String> allowedUsers;
    private final List<Review> reviews = new CopyOnWriteArrayList<>();
    private final AtomicBoolean unreachable = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Allows exactly {@code allowedUsers}; denies everyone else with the reason "no RBAC rule". */
    public FakeKubernetes(Set<String> allowedUsers) {
        this.allowedUsers = Set.copyOf(allowedUsers);
    }

    @Override
    public Authorizer subjectAccessReview(AuthorizationConfig authorization, KubernetesConfig kubernetes) {
        return (user, attributes) -> {
            if (unreachable.get()) {
                throw new ReviewUnavailableException("SubjectAccessReview: connection refused");
            }
            reviews.add(new Review(user, attributes));
            return allowedUsers.contains(user.name()) ? Decision.allow("") : Decision.deny("no RBAC rule");
        };
    }

    @Override
    public TokenAuthenticator tokenReview(AuthenticationConfig authentication, KubernetesConfig kubernetes) {
        return token -> {
            if (unreachable.get()) {
                throw new ReviewUnavailableException("TokenReview: connection refused");
            }
            return token.equals(GOOD_TOKEN) ? Optional.of(TOKEN_USER) : Optional.empty();
        };
    }

    @Override
    public void watchRequestHeader(RequestHeaderConfig requestHeader, KubernetesConfig kubernetes,
                                   RequestHeaderAuthenticator target, Consumer<Optional<ClientCaBundle>> clientCa) {
        throw new UnsupportedOperationException("the fake reads no ConfigMap");
    }

    /** Makes every review fail (true) or answer again (false). */
    public void unreachable(boolean value) {
        unreachable.set(value);
    }

    /** The reviews asked for so far, in order. */
    public List<Review> reviews() {
        return List.copyOf(reviews);
    }

    public void clearReviews() {
        reviews.clear();
    }

    @Override
    public void close() {
        closed.set(true);
    }

    public boolean closed() {
        return closed.get();
    }
}
