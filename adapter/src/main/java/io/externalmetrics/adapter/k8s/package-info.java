/**
 * Wire-level Kubernetes types: quantities ({@link io.externalmetrics.adapter.k8s.Quantity}), label
 * selectors ({@link io.externalmetrics.adapter.k8s.LabelSelector}) and Go-style durations
 * ({@link io.externalmetrics.adapter.k8s.Durations}), parsed and printed as Kubernetes' Go code does;
 * the JSON of values, discovery and {@code Status} answers. No gRPC, no Helidon: any test can use this
 * package without a server.
 */
package io.externalmetrics.adapter.k8s;
