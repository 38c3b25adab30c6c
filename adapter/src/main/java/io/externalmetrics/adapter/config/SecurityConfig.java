package io.externalmetrics.adapter.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Who may read metrics: authentication, authorization, and the kube-apiserver that helps with both.
 *
 * @param authentication how callers are authenticated; empty: nobody is checked (every caller reads
 *                       everything, logged as a warning at start)
 * @param authorization  how authenticated callers are authorized; meaningful only with authentication
 * @param kubernetes     how the kube-apiserver is reached
 */
public record SecurityConfig(Optional<AuthenticationConfig> authentication, AuthorizationConfig authorization,
                             KubernetesConfig kubernetes) {

    /** No checks: the behaviour before authentication existed. */
    public static final SecurityConfig NONE =
            new SecurityConfig(Optional.empty(), AuthorizationConfig.defaults(), KubernetesConfig.IN_CLUSTER);

    public SecurityConfig {
        Objects.requireNonNull(authentication, "authentication");
        Objects.requireNonNull(authorization, "authorization");
        Objects.requireNonNull(kubernetes, "kubernetes");
    }

    /** Whether the kube-apiserver is needed: TokenReview, the front proxy's ConfigMap or SubjectAccessReview. */
    public boolean needsKubernetes() {
        return authentication.isPresent() && (authentication.get().needsKubernetes()
                || authorization.mode() == AuthorizationConfig.Mode.SUBJECT_ACCESS_REVIEW);
    }
}
