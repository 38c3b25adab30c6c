package io.externalmetrics.adapter.auth;

import java.util.Objects;
import java.util.Optional;

/** What {@link AccessControl} decided about a request; the HTTP layer answers each as a Kubernetes Status. */
public sealed interface Outcome {

    /**
     * Go on serving it.
     *
     * @param user the caller; empty when nobody was checked (an always-allowed path, no authentication)
     */
    record Allowed(Optional<UserInfo> user) implements Outcome {
        public Allowed {
            Objects.requireNonNull(user, "user");
        }
    }

    /** Nobody authenticated: 401. */
    record Unauthenticated() implements Outcome {
    }

    /** Authenticated, not authorized: 403 with Kubernetes' message naming user, verb and resource. */
    record Forbidden(String message) implements Outcome {
        public Forbidden {
            Objects.requireNonNull(message, "message");
        }
    }

    /** No decision could be had (a review failed): 503, never an allow. */
    record Unavailable(String message) implements Outcome {
        public Unavailable {
            Objects.requireNonNull(message, "message");
        }
    }
}
