package io.externalmetrics.adapter.cache;

import java.util.Objects;

/**
 * What is known about a provider as a whole, for readiness hints and the debug inventory. Written
 * by the provider's runtime when it changes and published with the cache's registry, so readers
 * never wait on a provider.
 *
 * @param name     the provider's name
 * @param target   its gRPC target
 * @param reached  whether it answered at least once (Describe or a Fetch)
 * @param describe how Describe went, and the metrics it lost in clashes
 */
public record ProviderState(String name, String target, boolean reached, String describe) {

    public ProviderState {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(describe, "describe");
    }
}
