package io.externalmetrics.adapter.apiserver;

import io.externalmetrics.adapter.auth.ReviewUnavailableException;
import io.externalmetrics.adapter.auth.TokenAuthenticator;
import io.externalmetrics.adapter.auth.UserInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Checks bearer tokens with an {@code authentication.k8s.io/v1} TokenReview. Results, accepted and rejected
 * alike (as Kubernetes' delegating authenticator keeps both), are kept for {@code cacheTTL} by the token's
 * SHA-256, never by the token itself; at most {@code maxEntries}. Concurrent checks of one token make one
 * review. A failed review is never kept: it throws {@link ReviewUnavailableException}. Tokens are never logged.
 */
public final class TokenReviewAuthenticator implements TokenAuthenticator {

    public static final int DEFAULT_MAX_ENTRIES = 10_000;

    /** A token's SHA-256, hex: what the cache keeps instead of the token. */
    record Digest(String sha256) {
    }

    private final KubernetesAccess access;
    private final ReviewCache<Digest, Optional<UserInfo>> cache;

    /** With {@link #DEFAULT_MAX_ENTRIES} and the system's nanosecond ticker. */
    public TokenReviewAuthenticator(KubernetesAccess access, Duration cacheTTL) {
        this(access, cacheTTL, DEFAULT_MAX_ENTRIES, System::nanoTime);
    }

    /**
     * @param cacheTTL   how long a result is kept; zero: not kept
     * @param maxEntries how many results are kept at most
     * @param ticker     nanoseconds, as {@link System#nanoTime()}; tests pass a fake one
     */
    public TokenReviewAuthenticator(KubernetesAccess access, Duration cacheTTL, int maxEntries,
                                    LongSupplier ticker) {
        this.access = Objects.requireNonNull(access, "access");
        SubjectAccessReviewAuthorizer.nonNegative("cacheTTL", cacheTTL);
        this.cache = new ReviewCache<>(maxEntries, result -> cacheTTL, Objects.requireNonNull(ticker, "ticker"));
    }

    @Override
    public Optional<UserInfo> authenticate(String token) {
        if (token.isEmpty()) {
            return Optional.empty();
        }
        // the token travels into the review through the lambda's capture, never through the cache's key
        return cache.get(digest(token), key -> Reviews.tokenReview(access.client(), token));
    }

    static Digest digest(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return new Digest(HexFormat.of().formatHex(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    ReviewCache<?, ?> cache() {
        return cache;
    }
}
