/**
 * Talking to the kube-apiserver: {@link io.externalmetrics.adapter.apiserver.KubernetesAccess} (the fabric8
 * client, built on first use from a kubeconfig or the pod's service account),
 * {@link io.externalmetrics.adapter.apiserver.SubjectAccessReviewAuthorizer} and
 * {@link io.externalmetrics.adapter.apiserver.TokenReviewAuthenticator} (reviews, cached and deduplicated),
 * and {@link io.externalmetrics.adapter.apiserver.ExtensionApiserverAuthentication} (the front proxy's settings
 * from {@code kube-system/extension-apiserver-authentication}). Only {@code Reviews}, {@code ClientFactory} and
 * {@code ServiceAccountToken} touch fabric8 types, so none of its classes load before the first review.
 */
package io.externalmetrics.adapter.apiserver;
