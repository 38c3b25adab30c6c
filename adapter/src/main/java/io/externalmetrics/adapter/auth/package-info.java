/**
 * Who is calling and whether they may: the identity of a request ({@link
 * io.externalmetrics.adapter.auth.UserInfo}), what it asks to do ({@link
 * io.externalmetrics.adapter.auth.Attributes}) and the decision on it ({@link
 * io.externalmetrics.adapter.auth.Decision}), as a server built on {@code k8s.io/apiserver} has
 * them. Callers are authenticated by the front proxy's headers, client certificates or bearer
 * tokens ({@link io.externalmetrics.adapter.auth.TokenAuthenticator}), and authorized by an
 * {@link io.externalmetrics.adapter.auth.Authorizer}, normally a SubjectAccessReview.
 */
package io.externalmetrics.adapter.auth;
