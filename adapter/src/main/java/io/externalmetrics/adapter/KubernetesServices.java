package io.externalmetrics.adapter;

import io.externalmetrics.adapter.auth.Authorizer;
import io.externalmetrics.adapter.auth.RequestHeaderAuthenticator;
import io.externalmetrics.adapter.auth.TokenAuthenticator;
import io.externalmetrics.adapter.config.AuthenticationConfig;
import io.externalmetrics.adapter.config.AuthorizationConfig;
import io.externalmetrics.adapter.config.KubernetesConfig;
import io.externalmetrics.adapter.config.RequestHeaderConfig;
import io.externalmetrics.adapter.security.ClientCaBundle;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What needs the kube-apiserver: SubjectAccessReview, TokenReview and the front proxy's ConfigMap.
 * {@link Adapter#start(io.externalmetrics.adapter.config.AdapterConfig, java.time.Clock, KubernetesServices)}
 * asks for each only when the configuration uses it, once, at start, and closes the services when the
 * adapter stops. Tests pass fakes; {@link #NONE} refuses, so a configuration that needs the
 * kube-apiserver fails to start instead of serving unchecked.
 */
public interface KubernetesServices extends AutoCloseable {

    /** No kube-apiserver: every method fails, naming the setting that needs one. */
    KubernetesServices NONE = new KubernetesServices() {
        @Override
        public Authorizer subjectAccessReview(AuthorizationConfig authorization, KubernetesConfig kubernetes) {
            throw unavailable("authorization.mode: SubjectAccessReview");
        }

        @Override
        public TokenAuthenticator tokenReview(AuthenticationConfig authentication, KubernetesConfig kubernetes) {
            throw unavailable("authentication.tokenReview: true");
        }

        @Override
        public void watchRequestHeader(RequestHeaderConfig requestHeader, KubernetesConfig kubernetes,
                                       RequestHeaderAuthenticator target,
                                       Consumer<Optional<ClientCaBundle>> clientCa) {
            throw unavailable("authentication.requestHeader.fromCluster: true");
        }

        private static IllegalStateException unavailable(String setting) {
            return new IllegalStateException(setting + " needs the kube-apiserver, and this adapter was started "
                    + "without a Kubernetes client; use requestHeader.clientCAFile or clientCAFile with "
                    + "authorization mode AlwaysAllow, or start it with one");
        }
    };

    /** The authorizer for {@code authorization.mode: SubjectAccessReview}, caching as {@code authorization} says. */
    Authorizer subjectAccessReview(AuthorizationConfig authorization, KubernetesConfig kubernetes);

    /** The bearer-token checker for {@code authentication.tokenReview: true}, caching for {@code cacheTTL}. */
    TokenAuthenticator tokenReview(AuthenticationConfig authentication, KubernetesConfig kubernetes);

    /**
     * For {@code requestHeader.fromCluster: true}: reads the ConfigMap
     * {@code kube-system/extension-apiserver-authentication} and calls {@code target.replace} with its
     * front-proxy settings, and {@code clientCa} with its {@code client-ca-file} (empty when it has none),
     * now and whenever they change, until closed. Until the first call, {@code target} authenticates nobody.
     */
    void watchRequestHeader(RequestHeaderConfig requestHeader, KubernetesConfig kubernetes,
                            RequestHeaderAuthenticator target, Consumer<Optional<ClientCaBundle>> clientCa);

    /** Stops watching and releases the client; the adapter calls it when it stops. */
    @Override
    default void close() {
    }
}
