package io.externalmetrics.adapter.auth;

import java.util.Optional;

/** Turns a bearer token into the user it belongs to, normally with a TokenReview. */
@FunctionalInterface
public interface TokenAuthenticator {

    /**
     * @return the token's user, or empty when the token is not valid (the request is then answered 401)
     * @throws ReviewUnavailableException when the token could not be checked (answered 503)
     */
    Optional<UserInfo> authenticate(String token);
}
