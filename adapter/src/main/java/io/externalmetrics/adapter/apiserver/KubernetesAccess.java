package io.externalmetrics.adapter.apiserver;

import io.externalmetrics.adapter.auth.ReviewUnavailableException;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.Closeable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The way to the kube-apiserver: a fabric8 client from a kubeconfig file or, in a pod, from the service
 * account (its token re-read as the kubelet rotates it). The client is built on the first review, not here:
 * an adapter that never reviews never loads fabric8. Short timeouts and no retries, so a review that cannot be
 * had fails within {@link Timeouts#request()} instead of holding the request that waits for it.
 */
public final class KubernetesAccess implements Closeable {

    /** Where a pod finds its service account's token and the cluster's CA. */
    static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    /** How long a read token is used before the file is read again (client-go re-reads it every minute too). */
    static final Duration TOKEN_REREAD = Duration.ofMinutes(1);

    /**
     * @param connect how long connecting to the kube-apiserver may take
     * @param request how long a request may wait for its answer once sent
     */
    public record Timeouts(Duration connect, Duration request) {

        /** Two seconds to connect, three for the answer: a review never holds a request much longer. */
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(3));

        public Timeouts {
            positiveMillis("connect", connect);
            positiveMillis("request", request);
        }

        private static void positiveMillis(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.toMillis() <= 0 || value.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + " timeout must be between 1ms and " + Integer.MAX_VALUE
                        + "ms, got " + value);
            }
        }
    }

    /** The in-cluster way's parts: the kube-apiserver's URL, the service account's files, the token's ticker. */
    private record InCluster(String url, Path serviceAccountDir, LongSupplier ticker) {
    }

    private static final System.Logger LOG = System.getLogger(KubernetesAccess.class.getName());

    private final String description;
    // guarded by lock: the last set-up failure logged, so a broken kubeconfig is logged once, not per request
    private String lastSetupFailure;
    private final Timeouts timeouts;
    // exactly one of the two is present
    private final Optional<Path> kubeconfig;
    private final Optional<InCluster> inCluster;
    private final ReentrantLock lock = new ReentrantLock();
    // written under lock; read without it once set
    private volatile KubernetesClient client;
    // guarded by lock
    private boolean closed;

    // No lambda builds the client: linking one whose type names KubernetesClient would load fabric8 here.
    private KubernetesAccess(String description, Timeouts timeouts, Optional<Path> kubeconfig,
                             Optional<InCluster> inCluster) {
        this.description = description;
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.kubeconfig = kubeconfig;
        this.inCluster = inCluster;
    }

    /**
     * The cluster, user and credentials of {@code kubeconfig}'s current context.
     *
     * @throws IllegalArgumentException when the file cannot be read (checked now; it is parsed on first use)
     */
    public static KubernetesAccess fromKubeconfig(Path kubeconfig, Timeouts timeouts) {
        if (!Files.isReadable(kubeconfig)) {
            throw new IllegalArgumentException("kubernetes.kubeconfig " + kubeconfig + " cannot be read");
        }
        return new KubernetesAccess("kubeconfig " + kubeconfig, timeouts, Optional.of(kubeconfig), Optional.empty());
    }

    /**
     * The pod's service account: the kube-apiserver at {@code KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT},
     * trusted with the mounted {@code ca.crt}, called with the mounted token, re-read every minute.
     *
     * @throws IllegalStateException when not in a pod (the variables are not set)
     */
    public static KubernetesAccess inCluster(Timeouts timeouts) {
        String host = System.getenv("KUBERNETES_SERVICE_HOST");
        String port = System.getenv("KUBERNETES_SERVICE_PORT");
        if (host == null || host.isEmpty() || port == null || port.isEmpty()) {
            throw new IllegalStateException("not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST and "
                    + "KUBERNETES_SERVICE_PORT are not set): set kubernetes.kubeconfig");
        }
        try {
            return inCluster(host, Integer.parseInt(port), SERVICE_ACCOUNT_DIR, timeouts, System::nanoTime);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("KUBERNETES_SERVICE_PORT is not a port: " + port);
        }
    }

    /** The in-cluster way with its parts given: tests point it at a fake kube-apiserver and move the ticker. */
    static KubernetesAccess inCluster(String host, int port, Path serviceAccountDir, Timeouts timeouts,
                                      LongSupplier ticker) {
        String url = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        return new KubernetesAccess("service account " + serviceAccountDir + " at " + url, timeouts,
                Optional.empty(), Optional.of(new InCluster(url, serviceAccountDir, ticker)));
    }

    /** Where this reaches the kube-apiserver from, for log lines (no credentials). */
    public String description() {
        return description;
    }

    /**
     * The client, built on the first call.
     *
     * @throws ReviewUnavailableException when it cannot be built (a malformed kubeconfig), or after close
     */
    KubernetesClient client() {
        KubernetesClient built = client;
        if (built != null) {
            return built;
        }
        lock.lock();
        try {
            if (closed) {
                throw new ReviewUnavailableException("the kube-apiserver client is closed");
            }
            if (client == null) {
                if (kubeconfig.isPresent()) {
                    client = ClientFactory.fromKubeconfig(kubeconfig.get(), timeouts);
                } else {
                    InCluster pod = inCluster.orElseThrow();
                    client = ClientFactory.inCluster(pod.url(), pod.serviceAccountDir(), timeouts, pod.ticker());
                }
            }
            return client;
        } catch (RuntimeException e) {
            if (e instanceof ReviewUnavailableException unavailable) {
                throw unavailable;
            }
            // no cause or message attached: a YAML parser's message can quote the file, and a kubeconfig holds
            // credentials; the chain of exception types still tells what went wrong. Where it was read from (a
            // file path, the API's address) goes to the log only: this message reaches HTTP answers
            String types = causes(e);
            if (!types.equals(lastSetupFailure)) {
                LOG.log(System.Logger.Level.WARNING, "cannot set up the kube-apiserver client from {0} ({1})",
                        description, types);
                lastSetupFailure = types;
            }
            throw new ReviewUnavailableException("cannot set up the kube-apiserver client (" + types
                    + "; the adapter's log says from which kubeconfig or service account)");
        } finally {
            lock.unlock();
        }
    }

    private static String causes(Throwable e) {
        var names = new StringBuilder(e.getClass().getSimpleName());
        for (Throwable cause = e.getCause(); cause != null && cause != e; cause = cause.getCause()) {
            names.append(" < ").append(cause.getClass().getSimpleName());
        }
        return names.toString();
    }

    /** Closes the client if it was built; later reviews fail. */
    @Override
    public void close() {
        KubernetesClient built;
        lock.lock();
        try {
            closed = true;
            built = client;
            client = null;
        } finally {
            lock.unlock();
        }
        if (built != null) {
            built.close();
        }
    }
}
