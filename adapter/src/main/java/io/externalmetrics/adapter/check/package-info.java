/**
 * The {@code check-provider} command: the provider contract ({@code externalmetrics/v1/provider.proto})
 * run against any provider, in any language, over a real gRPC channel. Each {@code Rule} is one
 * sentence of the proto ("must" fails, "should" warns); {@code ProviderChecker} calls the provider
 * and judges each reply with the adapter's own validation ({@code provider.ProviderRules}), so the
 * check and the adapter never disagree, and {@code WatchCheck} judges its Watch stream;
 * {@code Report} prints the findings as text or JSON.
 */
package io.externalmetrics.adapter.check;
