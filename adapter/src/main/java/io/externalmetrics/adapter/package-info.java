/**
 * The adapter application: {@link io.externalmetrics.adapter.Main} reads the configuration and
 * {@link io.externalmetrics.adapter.Adapter} wires the cache, the provider clients and the HTTPS
 * server together and owns their lifecycle. What needs the kube-apiserver (SubjectAccessReview,
 * TokenReview, the front proxy's ConfigMap) comes in through
 * {@link io.externalmetrics.adapter.KubernetesServices}.
 */
package io.externalmetrics.adapter;
