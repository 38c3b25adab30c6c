package io.externalmetrics.adapter;

import io.externalmetrics.adapter.auth.AccessControl;
import io.externalmetrics.adapter.auth.Authorizer;
import io.externalmetrics.adapter.auth.BearerTokenAuthenticator;
import io.externalmetrics.adapter.auth.ClientCertificateAuthenticator;
import io.externalmetrics.adapter.auth.Decision;
import io.externalmetrics.adapter.auth.RequestAuthenticator;
import io.externalmetrics.adapter.auth.RequestHeaderAuthenticator;
import io.externalmetrics.adapter.auth.RequestHeaderSettings;
import io.externalmetrics.adapter.config.AuthenticationConfig;
import io.externalmetrics.adapter.config.AuthorizationConfig;
import io.externalmetrics.adapter.config.RequestHeaderConfig;
import io.externalmetrics.adapter.config.SecurityConfig;
import io.externalmetrics.adapter.security.CaBundleFile;
import io.externalmetrics.adapter.security.ClientCaBundle;
import io.externalmetrics.adapter.security.ClientCertificates;
import java.lang.System.Logger.Level;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Turns the security settings into what the server runs with: the {@link AccessControl} every
 * request passes, whether the TLS listener asks for client certificates (and which CAs it names),
 * and the CA files to re-read as they rotate.
 *
 * @param access             the checks every request passes
 * @param clientCertificates what the TLS listener asks of clients
 * @param caFiles            the CA files to re-read on the certificate poll
 * @param notReady           why requests cannot be authenticated yet (for {@code /readyz}); empty when they can
 */
record AccessSetup(AccessControl access, ClientCertificates clientCertificates, List<CaBundleFile> caFiles,
                   Supplier<Optional<String>> notReady) {

    private static final System.Logger LOG = System.getLogger(AccessSetup.class.getName());
    private static final Authorizer ALWAYS_ALLOW = (user, attributes) -> Decision.allow("");

    private static final Supplier<Optional<String>> READY = Optional::empty;

    AccessSetup {
        caFiles = List.copyOf(caFiles);
    }

    /**
     * @throws io.externalmetrics.adapter.security.TlsSetupException when a CA file does not read
     * @throws IllegalStateException when a setting needs the kube-apiserver and {@code kubernetes} cannot give it
     */
    static AccessSetup create(SecurityConfig config, KubernetesServices kubernetes, Clock clock) {
        if (config.authentication().isEmpty()) {
            LOG.log(Level.WARNING, "no authentication configured: every caller that reaches the port reads every "
                    + "metric; configure authentication and authorization (see the README's security section)");
            return new AccessSetup(AccessControl.open(), ClientCertificates.NONE, List.of(), READY);
        }
        AuthenticationConfig authentication = config.authentication().get();
        AuthorizationConfig authorization = config.authorization();
        List<RequestAuthenticator> authenticators = new ArrayList<>();
        List<CaBundleFile> caFiles = new ArrayList<>();
        List<Supplier<List<X509Certificate>>> issuers = new ArrayList<>();
        Supplier<Optional<String>> notReady = READY;
        Optional<RequestAuthenticator> clusterCertificates = Optional.empty();

        if (authentication.requestHeader().isPresent()) {
            RequestHeaderConfig requestHeader = authentication.requestHeader().get();
            RequestHeaderAuthenticator proxy;
            if (requestHeader.fromCluster()) {
                proxy = RequestHeaderAuthenticator.awaitingSettings(clock);
                // as k8s.io/apiserver: without a clientCAFile, ordinary client certificates are checked
                // against the cluster's client CA, published in the same ConfigMap
                Consumer<Optional<ClientCaBundle>> clusterClientCa = ignored -> { };
                if (authentication.clientCAFile().isEmpty()) {
                    // the authenticator is made when the bundle changes, not per request
                    var current = new AtomicReference<Optional<ClusterClientCa>>(Optional.empty());
                    clusterClientCa = bundle -> current.set(bundle.map(ca ->
                            new ClusterClientCa(ca, new ClientCertificateAuthenticator(() -> ca, clock))));
                    clusterCertificates = Optional.of(request -> current.get()
                            .flatMap(c -> c.authenticator().authenticate(request)));
                    issuers.add(() -> current.get().map(c -> c.ca().certificates()).orElse(List.of()));
                }
                kubernetes.watchRequestHeader(requestHeader, config.kubernetes(), proxy, clusterClientCa);
                RequestHeaderAuthenticator watched = proxy;
                notReady = () -> watched.settings().isPresent() ? Optional.empty()
                        : Optional.of("the front proxy's settings have not been read yet from ConfigMap "
                                + "kube-system/extension-apiserver-authentication");
            } else {
                proxy = RequestHeaderAuthenticator.awaitingSettings(clock);
                RequestHeaderAuthenticator target = proxy;
                CaBundleFile file = CaBundleFile.load(requestHeader.clientCAFile().orElseThrow(),
                        "request-header CA", next -> target.replace(settings(requestHeader, next)));
                proxy.replace(settings(requestHeader, file.current()));
                caFiles.add(file);
            }
            authenticators.add(proxy);
            RequestHeaderAuthenticator named = proxy;
            issuers.add(() -> named.settings().map(s -> s.ca().certificates()).orElse(List.of()));
        }
        clusterCertificates.ifPresent(authenticators::add);
        if (authentication.clientCAFile().isPresent()) {
            CaBundleFile file = CaBundleFile.load(authentication.clientCAFile().get(), "client CA", next -> { });
            caFiles.add(file);
            authenticators.add(new ClientCertificateAuthenticator(file::current, clock));
            issuers.add(() -> file.current().certificates());
        }
        if (authentication.tokenReview()) {
            authenticators.add(new BearerTokenAuthenticator(
                    kubernetes.tokenReview(authentication, config.kubernetes())));
        }
        Authorizer authorizer = switch (authorization.mode()) {
            case SUBJECT_ACCESS_REVIEW -> kubernetes.subjectAccessReview(authorization, config.kubernetes());
            case ALWAYS_ALLOW -> {
                LOG.log(Level.WARNING, "authorization mode AlwaysAllow: every authenticated caller reads every metric");
                yield ALWAYS_ALLOW;
            }
        };
        var access = AccessControl.of(authenticators, authorizer, authorization.alwaysAllowPaths(),
                authorization.alwaysAllowGroups());
        ClientCertificates clientCertificates = ClientCertificates.optional(() -> {
            List<X509Certificate> all = new ArrayList<>();
            issuers.forEach(source -> all.addAll(source.get()));
            return all;
        });
        return new AccessSetup(access, clientCertificates, caFiles, notReady);
    }

    /** The cluster's client CA from the ConfigMap, with the authenticator checking certificates against it. */
    private record ClusterClientCa(ClientCaBundle ca, ClientCertificateAuthenticator authenticator) {
    }

    private static RequestHeaderSettings settings(RequestHeaderConfig config, ClientCaBundle ca) {
        return new RequestHeaderSettings(ca, config.allowedNames(), config.usernameHeaders(), config.uidHeaders(),
                config.groupHeaders(), config.extraHeaderPrefixes());
    }

    /** Re-reads every CA file once; whether any new bundle was applied. */
    boolean checkCaFiles() {
        boolean applied = false;
        for (CaBundleFile file : caFiles) {
            applied |= file.check();
        }
        return applied;
    }
}
