package io.externalmetrics.adapter.auth;

/** Decides whether an authenticated user may do something. */
@FunctionalInterface
public interface Authorizer {

    /**
     * @throws ReviewUnavailableException when no decision could be had (the kube-apiserver did not
     *                                    answer, or answered with an error); the request is then
     *                                    refused with 503, never allowed
     */
    Decision authorize(UserInfo user, Attributes attributes);
}
