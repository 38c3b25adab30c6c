package io.externalmetrics.adapter.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How the adapter reaches the kube-apiserver, for TokenReview, SubjectAccessReview and the front
 * proxy's ConfigMap.
 *
 * @param kubeconfig a kubeconfig file; empty: the pod's in-cluster service account (its token
 *                   re-read as it rotates)
 */
public record KubernetesConfig(Optional<Path> kubeconfig) {

    public static final KubernetesConfig IN_CLUSTER = new KubernetesConfig(Optional.empty());

    public KubernetesConfig {
        Objects.requireNonNull(kubeconfig, "kubeconfig");
    }
}
