package io.externalmetrics.adapter.auth;

import java.util.Optional;

/** One way of authenticating a request: front-proxy headers, a client certificate, a bearer token. */
@FunctionalInterface
public interface RequestAuthenticator {

    /**
     * @return the caller, or empty when this way does not authenticate the request (the next is tried)
     * @throws ReviewUnavailableException when the credentials could not be checked (answered 503)
     */
    Optional<UserInfo> authenticate(AuthRequest request);
}
