/**
 * The HTTP surface served to Kubernetes: the external metrics API, discovery and OpenAPI
 * documents, health checks and the debug pages (the inventory, {@code /debug/explain} and the
 * {@code /debug/} status page), routed by {@link io.externalmetrics.adapter.http.ApiRouting}.
 * Handlers only read memory: the cache and documents built at start. Every error is a Kubernetes
 * {@code Status}.
 */
package io.externalmetrics.adapter.http;
