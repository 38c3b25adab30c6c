package io.externalmetrics.adapter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How callers are authenticated, tried in this order: the front proxy's identity headers, an
 * ordinary client certificate (common name the user, organizations the groups), a bearer token
 * checked with a TokenReview. A request none of them authenticates is answered 401.
 *
 * @param requestHeader the front proxy; empty: identity headers are never trusted
 * @param clientCAFile  the CA bundle ordinary client certificates must verify against
 * @param tokenReview   whether bearer tokens are checked with the kube-apiserver's TokenReview
 * @param cacheTTL      how long a token review's answer is reused
 */
public record AuthenticationConfig(Optional<RequestHeaderConfig> requestHeader, Optional<Path> clientCAFile,
                                   boolean tokenReview, Duration cacheTTL) {

    /** As k8s.io/apiserver's delegating authenticator caches token reviews. */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(10);

    public AuthenticationConfig {
        Objects.requireNonNull(requestHeader, "requestHeader");
        Objects.requireNonNull(clientCAFile, "clientCAFile");
        Objects.requireNonNull(cacheTTL, "cacheTTL");
        if (cacheTTL.isNegative() || cacheTTL.isZero()) {
            throw new ConfigException("authentication.cacheTTL: must be positive");
        }
    }

    /** Whether anything needs the kube-apiserver: TokenReview, or the front proxy's settings from its ConfigMap. */
    public boolean needsKubernetes() {
        return tokenReview || requestHeader.map(RequestHeaderConfig::fromCluster).orElse(false);
    }
}
