package io.externalmetrics.adapter;

import io.externalmetrics.adapter.apiserver.ExtensionApiserverAuthentication;
import io.externalmetrics.adapter.apiserver.KubernetesAccess;
import io.externalmetrics.adapter.apiserver.SubjectAccessReviewAuthorizer;
import io.externalmetrics.adapter.apiserver.TokenReviewAuthenticator;
import io.externalmetrics.adapter.auth.Authorizer;
import io.externalmetrics.adapter.auth.RequestHeaderAuthenticator;
import io.externalmetrics.adapter.auth.RequestHeaderSettings;
import io.externalmetrics.adapter.auth.TokenAuthenticator;
import io.externalmetrics.adapter.config.AuthenticationConfig;
import io.externalmetrics.adapter.config.AuthorizationConfig;
import io.externalmetrics.adapter.config.KubernetesConfig;
import io.externalmetrics.adapter.config.RequestHeaderConfig;
import io.externalmetrics.adapter.security.ClientCaBundle;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The kube-apiserver behind {@link KubernetesServices}: one fabric8 client (built on the first review, not
 * at start), SubjectAccessReview and TokenReview with their caches, and the front proxy's ConfigMap read
 * at start and polled: every {@code poll} once read, every {@code retry} until then.
 */
final class ApiserverServices implements KubernetesServices {

    private static final System.Logger LOG = System.getLogger(ApiserverServices.class.getName());
    /** As often as the kube-apiserver's own front-proxy CA controller re-checks when its watch is quiet. */
    static final Duration CONFIG_MAP_POLL = Duration.ofSeconds(30);
    /** Until the ConfigMap was read once, front-proxy requests are refused: try again soon. */
    static final Duration CONFIG_MAP_RETRY = Duration.ofSeconds(2);

    private final Duration poll;
    private final Duration retry;
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private KubernetesAccess access;
    private ScheduledExecutorService poller;
    private boolean closed;

    ApiserverServices() {
        this(CONFIG_MAP_POLL, CONFIG_MAP_RETRY);
    }

    ApiserverServices(Duration poll, Duration retry) {
        this.poll = Objects.requireNonNull(poll, "poll");
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    /** The one client; {@code setting} names what needs it, for the error when there is none. */
    private KubernetesAccess access(KubernetesConfig kubernetes, String setting) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (access == null) {
                try {
                    access = kubernetes.kubeconfig()
                            .map(file -> KubernetesAccess.fromKubeconfig(file, KubernetesAccess.Timeouts.DEFAULT))
                            .orElseGet(() -> KubernetesAccess.inCluster(KubernetesAccess.Timeouts.DEFAULT));
                } catch (RuntimeException e) {
                    throw new IllegalStateException(setting + " needs the kube-apiserver: " + e.getMessage(), e);
                }
                LOG.log(Level.INFO, "reviews and the front proxy''s settings come from the kube-apiserver ({0})",
                        access.description());
            }
            return access;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Authorizer subjectAccessReview(AuthorizationConfig authorization, KubernetesConfig kubernetes) {
        return new SubjectAccessReviewAuthorizer(access(kubernetes, "authorization.mode: SubjectAccessReview"),
                authorization.allowedTTL(), authorization.deniedTTL());
    }

    @Override
    public TokenAuthenticator tokenReview(AuthenticationConfig authentication, KubernetesConfig kubernetes) {
        return new TokenReviewAuthenticator(access(kubernetes, "authentication.tokenReview: true"),
                authentication.cacheTTL());
    }

    @Override
    public void watchRequestHeader(RequestHeaderConfig requestHeader, KubernetesConfig kubernetes,
                                   RequestHeaderAuthenticator target, Consumer<Optional<ClientCaBundle>> clientCa) {
        var reader = new ConfigMapReader(access(kubernetes, "authentication.requestHeader.fromCluster: true"),
                target, clientCa);
        lock.lock();
        try {
            if (poller != null) {
                throw new IllegalStateException("already watching the front proxy's settings");
            }
            poller = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("externalmetrics-front-proxy-settings").daemon().factory());
            // the first read runs at once, off the start path; until it succeeds /readyz says so
            poller.execute(() -> reader.readAndReschedule(poller));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (poller != null) {
                poller.shutdownNow();
            }
            if (access != null) {
                access.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Reads the ConfigMap into {@code target}; logs a change or a new problem once, not every poll. */
    private final class ConfigMapReader {

        private final KubernetesAccess cluster;
        private final RequestHeaderAuthenticator target;
        private final Consumer<Optional<ClientCaBundle>> clientCa;
        // only touched on the poller's one thread
        private ExtensionApiserverAuthentication applied;
        private String lastProblem;

        ConfigMapReader(KubernetesAccess cluster, RequestHeaderAuthenticator target,
                        Consumer<Optional<ClientCaBundle>> clientCa) {
            this.cluster = cluster;
            this.target = target;
            this.clientCa = clientCa;
        }

        void readAndReschedule(ScheduledExecutorService scheduler) {
            try {
                read();
            } finally {
                Duration next = applied != null ? poll : retry;
                if (!scheduler.isShutdown()) {
                    scheduler.schedule(() -> readAndReschedule(scheduler), next.toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        }

        private void read() {
            try {
                var published = ExtensionApiserverAuthentication.fetch(cluster);
                lastProblem = null;
                if (published.equals(applied)) {
                    return;
                }
                target.replace(new RequestHeaderSettings(ClientCaBundle.of(published.requestHeaderClientCA()),
                        published.requestHeaderAllowedNames(), published.requestHeaderUsernameHeaders(),
                        published.requestHeaderUidHeaders(), published.requestHeaderGroupHeaders(),
                        published.requestHeaderExtraPrefixes()));
                clientCa.accept(published.clientCA().isEmpty()
                        ? Optional.empty() : Optional.of(ClientCaBundle.of(published.clientCA())));
                LOG.log(Level.INFO, "front proxy settings {0} from ConfigMap kube-system/"
                        + "extension-apiserver-authentication: {1} CA certificate(s), allowed names {2}; "
                        + "{3} client CA certificate(s)",
                        applied == null ? "read" : "changed", published.requestHeaderClientCA().size(),
                        published.requestHeaderAllowedNames().isEmpty()
                                ? "any" : published.requestHeaderAllowedNames(), published.clientCA().size());
                applied = published;
            } catch (RuntimeException e) {
                String problem = String.valueOf(e.getMessage());
                if (!problem.equals(lastProblem)) {
                    LOG.log(Level.WARNING, "front proxy settings not read from ConfigMap kube-system/"
                            + "extension-apiserver-authentication; {0}: {1}", applied == null
                            ? "front proxy requests are refused until they are" : "the previous ones stay", problem);
                    lastProblem = problem;
                }
            }
        }
    }
}
