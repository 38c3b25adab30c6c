/**
 * Wire-level Kubernetes types: quantities ({@link io.externalmetrics.adapter.k8s.Quantity}) and label
 * selectors ({@link io.externalmetrics.adapter.k8s.LabelSelector}), parsed and printed byte for byte as
 * Kubernetes' Go code does. No gRPC, no Helidon: any test can use this package without a server.
 */
package io.externalmetrics.adapter.k8s;
