package io.externalmetrics.adapter.cache;

import java.time.Instant;
import java.util.Objects;

/**
 * What is known about a provider as a whole, for readiness hints and the debug pages. Written by the
 * provider's runtime when it changes and published with the cache's registry, so readers never wait on a
 * provider.
 *
 * @param name         the provider's name
 * @param target       its gRPC target
 * @param reached      whether it answered at least once (Describe or a Fetch); stays true when it goes away
 * @param describe     how Describe went, and the metrics it lost in clashes
 * @param connectivity the connection to it now: unlike {@code reached}, it says when a provider went away
 * @param since        when {@code connectivity} last changed
 */
public record ProviderState(String name, String target, boolean reached, String describe,
                            Connectivity connectivity, Instant since) {

    public ProviderState {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(describe, "describe");
        Objects.requireNonNull(connectivity, "connectivity");
        Objects.requireNonNull(since, "since");
    }

    /** The state of the gRPC channel to a provider (its {@code ConnectivityState}, named alike), in words. */
    public enum Connectivity {
        IDLE("idle (connects on the next call)"),
        CONNECTING("connecting"),
        READY("connected"),
        TRANSIENT_FAILURE("unreachable (transient failure)"),
        SHUTDOWN("shut down");

        private final String words;

        Connectivity(String words) {
            this.words = words;
        }

        /** What a person reads, such as "connected" or "unreachable (transient failure)". */
        public String words() {
            return words;
        }

        /** Whether calls cannot reach the provider now (as opposed to connected, or connecting on demand). */
        public boolean down() {
            return this == TRANSIENT_FAILURE || this == SHUTDOWN;
        }
    }
}
