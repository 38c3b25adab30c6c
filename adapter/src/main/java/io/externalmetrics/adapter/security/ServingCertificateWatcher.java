package io.externalmetrics.adapter.security;

import io.helidon.common.tls.Tls;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps the served certificate in step with its files, which cert-manager rotates in place and
 * Kubernetes replaces by swapping a symlink: both files are re-read every poll and compared by
 * content (file events miss symlink swaps), and a changed pair is handed on, normally to Helidon's
 * {@code WebServer.reloadTls}, which swaps the key material under the running listener: new
 * handshakes get the new certificate, open connections and their requests carry on.
 *
 * <p>A changed pair that does not load (a broken file, a certificate whose key has not been
 * written yet, an unreadable file) is not applied: the previous certificate keeps being served and
 * the problem is logged once per state of the files, so a half-written rotation costs one warning
 * and is picked up as soon as the second file arrives.
 */
public final class ServingCertificateWatcher {

    private static final System.Logger LOG = System.getLogger(ServingCertificateWatcher.class.getName());

    private final Path certFile;
    private final Path keyFile;
    private final ClientCertificates clientCertificates;
    private final FileReloader files;

    private ServingCertificateWatcher(Path certFile, Path keyFile, ClientCertificates clientCertificates,
                                      FileReloader files) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.clientCertificates = clientCertificates;
        this.files = files;
    }

    /**
     * The certificate to start serving with, and its watcher.
     *
     * @param watcher checks the files for changes later
     * @param tls     the server TLS read from the files now
     */
    public record Loaded(ServingCertificateWatcher watcher, Tls tls) {
        public Loaded {
            Objects.requireNonNull(watcher, "watcher");
            Objects.requireNonNull(tls, "tls");
        }
    }

    /**
     * Reads the certificate and key files for the first time.
     *
     * @throws TlsSetupException as {@link ServingCertificates#fromFiles} does
     */
    public static Loaded load(Path certFile, Path keyFile) {
        return load(certFile, keyFile, ClientCertificates.NONE);
    }

    /**
     * Reads the certificate and key files for the first time; this and every reloaded certificate
     * ask for client certificates as {@code clientCertificates} says.
     *
     * @throws TlsSetupException as {@link ServingCertificates#fromFiles} does
     */
    public static Loaded load(Path certFile, Path keyFile, ClientCertificates clientCertificates) {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(clientCertificates, "clientCertificates");
        var files = new FileReloader(List.of(certFile, keyFile)); // content first: see FileReloader
        Tls tls = ServingCertificates.fromFiles(certFile, keyFile, clientCertificates);
        return new Loaded(new ServingCertificateWatcher(certFile, keyFile, clientCertificates, files), tls);
    }

    /**
     * Runs {@link #check} every {@code period} on {@code scheduler}, until the returned future is
     * cancelled or the scheduler shut down.
     */
    public ScheduledFuture<?> watch(Consumer<Tls> reload, ScheduledExecutorService scheduler, Duration period) {
        Objects.requireNonNull(reload, "reload");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive, got " + period);
        }
        return scheduler.scheduleWithFixedDelay(() -> check(reload), period.toNanos(), period.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /**
     * Reads both files once; when their content differs from what is served and they load as a
     * matching certificate and key, hands the new TLS to {@code reload}.
     *
     * @return whether a new certificate was handed on
     */
    public boolean check(Consumer<Tls> reload) {
        boolean applied = files.check(
                () -> reload.accept(ServingCertificates.fromFiles(certFile, keyFile, clientCertificates)),
                problem -> LOG.log(Level.WARNING, "serving certificate change not applied, the previous certificate"
                        + " is still served (a new one is applied as soon as both files load and match): {0}",
                        problem.getMessage()));
        if (applied) {
            LOG.log(Level.INFO, "serving certificate reloaded from {0} and {1}", certFile, keyFile);
        }
        return applied;
    }
}
