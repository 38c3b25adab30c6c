package io.externalmetrics.adapter.auth;

import java.util.Objects;

/**
 * An authorizer's answer.
 *
 * @param allowed whether the request may proceed
 * @param reason  why, as the authorizer said it; may be empty
 */
public record Decision(boolean allowed, String reason) {

    public Decision {
        Objects.requireNonNull(reason, "reason");
    }

    public static Decision allow(String reason) {
        return new Decision(true, reason);
    }

    public static Decision deny(String reason) {
        return new Decision(false, reason);
    }
}
