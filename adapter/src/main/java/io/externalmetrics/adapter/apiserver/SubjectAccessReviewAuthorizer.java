package io.externalmetrics.adapter.apiserver;

import io.externalmetrics.adapter.auth.Attributes;
import io.externalmetrics.adapter.auth.Authorizer;
import io.externalmetrics.adapter.auth.Decision;
import io.externalmetrics.adapter.auth.ReviewUnavailableException;
import io.externalmetrics.adapter.auth.UserInfo;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Asks the kube-apiserver with an {@code authorization.k8s.io/v1} SubjectAccessReview, as servers built on
 * {@code k8s.io/apiserver} do (its delegating, webhook-style authorizer). Decisions are kept per user (name,
 * uid, groups, extra) and attributes: allowed ones for {@code allowedTTL}, denied ones for {@code deniedTTL};
 * at most {@code maxEntries}. Concurrent identical misses make one review. A failed review is never kept: it
 * throws {@link ReviewUnavailableException}, and the request it was for is refused.
 */
public final class SubjectAccessReviewAuthorizer implements Authorizer {

    /** As many decisions as Kubernetes' webhook authorizer keeps (8192), rounded up. */
    public static final int DEFAULT_MAX_ENTRIES = 10_000;

    private record Key(UserInfo user, Attributes attributes) {
    }

    private final KubernetesAccess access;
    private final ReviewCache<Key, Decision> cache;

    /** With {@link #DEFAULT_MAX_ENTRIES} and the system's nanosecond ticker. */
    public SubjectAccessReviewAuthorizer(KubernetesAccess access, Duration allowedTTL, Duration deniedTTL) {
        this(access, allowedTTL, deniedTTL, DEFAULT_MAX_ENTRIES, System::nanoTime);
    }

    /**
     * @param allowedTTL how long an allow is kept; zero: not kept
     * @param deniedTTL  how long a deny is kept; zero: not kept
     * @param maxEntries how many decisions are kept at most
     * @param ticker     nanoseconds, as {@link System#nanoTime()}; tests pass a fake one
     */
    public SubjectAccessReviewAuthorizer(KubernetesAccess access, Duration allowedTTL, Duration deniedTTL,
                                         int maxEntries, LongSupplier ticker) {
        this.access = Objects.requireNonNull(access, "access");
        nonNegative("allowedTTL", allowedTTL);
        nonNegative("deniedTTL", deniedTTL);
        this.cache = new ReviewCache<>(maxEntries, decision -> decision.allowed() ? allowedTTL : deniedTTL,
                Objects.requireNonNull(ticker, "ticker"));
    }

    static void nonNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
    }

    /**
     * Decisions whose user and attributes are longer than this (in characters) are not kept: a caller chooses
     * its paths (up to 64 KiB each), and 10,000 of those would hold hundreds of megabytes. Real paths and
     * identities are far shorter.
     */
    static final int MAX_KEPT_KEY_CHARS = 2048;

    @Override
    public Decision authorize(UserInfo user, Attributes attributes) {
        if (length(user, attributes) > MAX_KEPT_KEY_CHARS) {
            return Reviews.subjectAccessReview(access.client(), user, attributes);
        }
        return cache.get(new Key(user, attributes),
                key -> Reviews.subjectAccessReview(access.client(), key.user(), key.attributes()));
    }

    private static long length(UserInfo user, Attributes attributes) {
        long length = user.name().length() + user.uid().length();
        for (String group : user.groups()) {
            length += group.length();
        }
        for (var extra : user.extra().entrySet()) {
            length += extra.getKey().length();
            for (String value : extra.getValue()) {
                length += value.length();
            }
        }
        return length + switch (attributes) {
            case Attributes.Resource r -> r.verb().length() + r.group().length() + r.version().length()
                    + r.resource().length() + r.namespace().length();
            case Attributes.NonResource n -> n.path().length() + n.verb().length();
        };
    }

    ReviewCache<?, ?> cache() {
        return cache;
    }
}
