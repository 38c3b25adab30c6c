/**
 * Who is calling and whether they may: the identity of a request ({@link
 * io.externalmetrics.adapter.auth.UserInfo}), what it asks to do ({@link
 * io.externalmetrics.adapter.auth.Attributes}) and the decision on it ({@link
 * io.externalmetrics.adapter.auth.Decision}), as a server built on {@code k8s.io/apiserver} has
 * them. Callers are authenticated by the front proxy's headers, client certificates or bearer
 * tokens ({@link io.externalmetrics.adapter.auth.TokenAuthenticator}), and authorized by an
 * {@link io.externalmetrics.adapter.auth.Authorizer}, normally a SubjectAccessReview.
 * {@link io.externalmetrics.adapter.auth.AccessControl} runs the steps in order for each request
 * (described by the HTTP layer as an {@link io.externalmetrics.adapter.auth.AuthRequest}) and says
 * what to answer ({@link io.externalmetrics.adapter.auth.Outcome}).
 */
package io.externalmetrics.adapter.auth;
