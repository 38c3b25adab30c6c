package io.externalmetrics.adapter.apiserver;

import io.externalmetrics.adapter.auth.Attributes;
import io.externalmetrics.adapter.auth.Decision;
import io.externalmetrics.adapter.auth.ReviewUnavailableException;
import io.externalmetrics.adapter.auth.UserInfo;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpecBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * The requests themselves, in fabric8 types, and their failures translated to {@link ReviewUnavailableException}
 * with messages that say what failed and never carry a token. Kept apart so that fabric8's model classes load
 * only when a review is made.
 */
final class Reviews {

    private Reviews() {
    }

    /**
     * A SubjectAccessReview, decided as Kubernetes' webhook authorizer decides it: allowed (and not also denied)
     * allows; anything else, an {@code evaluationError} without {@code allowed} included, denies with the
     * status's reason.
     */
    static Decision subjectAccessReview(KubernetesClient client, UserInfo user, Attributes attributes) {
        var spec = new SubjectAccessReviewSpecBuilder()
                .withUser(user.name())
                .withUid(emptyToNull(user.uid()))
                .withGroups(user.groups().isEmpty() ? null : user.groups())
                .withExtra(user.extra().isEmpty() ? null : user.extra());
        switch (attributes) {
            case Attributes.Resource r -> spec.withResourceAttributes(new ResourceAttributesBuilder()
                    .withVerb(r.verb())
                    .withGroup(r.group())
                    .withVersion(r.version())
                    .withResource(r.resource())
                    .withNamespace(emptyToNull(r.namespace()))
                    .build());
            case Attributes.NonResource n -> spec.withNonResourceAttributes(new NonResourceAttributesBuilder()
                    .withPath(n.path())
                    .withVerb(n.verb())
                    .build());
        }
        SubjectAccessReview review = new SubjectAccessReviewBuilder().withSpec(spec.build()).build();
        SubjectAccessReview answer = call("SubjectAccessReview",
                () -> client.authorization().v1().subjectAccessReview().create(review));
        SubjectAccessReviewStatus status = answer == null ? null : answer.getStatus();
        if (status == null) {
            throw new ReviewUnavailableException("SubjectAccessReview failed: the kube-apiserver's answer has no "
                    + "status");
        }
        String reason = Objects.requireNonNullElse(status.getReason(), "");
        boolean allowed = Boolean.TRUE.equals(status.getAllowed()) && !Boolean.TRUE.equals(status.getDenied());
        return allowed ? Decision.allow(reason) : Decision.deny(reason);
    }

    /** A TokenReview: the user when the token is authenticated, else empty. */
    static Optional<UserInfo> tokenReview(KubernetesClient client, String token) {
        TokenReview review = new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build();
        TokenReview answer = call("TokenReview", () -> client.authentication().v1().tokenReviews().create(review));
        TokenReviewStatus status = answer == null ? null : answer.getStatus();
        if (status == null) {
            throw new ReviewUnavailableException("TokenReview failed: the kube-apiserver's answer has no status");
        }
        var user = status.getUser();
        if (!Boolean.TRUE.equals(status.getAuthenticated()) || user == null || user.getUsername() == null
                || user.getUsername().isEmpty()) {
            return Optional.empty();
        }
        var extra = new LinkedHashMap<String, List<String>>();
        if (user.getExtra() != null) {
            user.getExtra().forEach((key, values) -> extra.put(key, nonNulls(values)));
        }
        return Optional.of(new UserInfo(user.getUsername(), Objects.requireNonNullElse(user.getUid(), ""),
                nonNulls(user.getGroups()), extra));
    }

    /** A ConfigMap's data; empty when the ConfigMap does not exist. */
    static Optional<Map<String, String>> configMapData(KubernetesClient client, String namespace, String name) {
        ConfigMap map = call("reading ConfigMap " + namespace + "/" + name,
                () -> client.configMaps().inNamespace(namespace).withName(name).get());
        if (map == null) {
            return Optional.empty();
        }
        return Optional.of(map.getData() == null ? Map.of() : map.getData());
    }

    /** Runs {@code request}, turning every way it can fail into a {@link ReviewUnavailableException}. */
    private static <T> T call(String what, Supplier<T> request) {
        try {
            return request.get();
        } catch (ReviewUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ReviewUnavailableException(what + " failed: " + describe(e), e);
        }
    }

    private static String describe(RuntimeException e) {
        if (e instanceof KubernetesClientException k && k.getCode() > 0) {
            return "the kube-apiserver answered HTTP " + k.getCode();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException || t instanceof ConnectException) {
                return "cannot connect to the kube-apiserver (" + t.getClass().getSimpleName() + ")";
            }
            if (t instanceof HttpTimeoutException || t instanceof TimeoutException) {
                return "the kube-apiserver did not answer in time";
            }
            if (t instanceof SSLException) {
                return "TLS with the kube-apiserver failed (" + t.getClass().getSimpleName() + ")";
            }
            if (t.getClass().getName().startsWith("tools.jackson.")) {
                return "the kube-apiserver's answer is malformed";
            }
        }
        return e.getClass().getSimpleName();
    }

    private static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }

    private static List<String> nonNulls(List<String> values) {
        return values == null ? List.of() : values.stream().filter(Objects::nonNull).toList();
    }
}
