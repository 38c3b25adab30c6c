package io.externalmetrics.adapter.security;

import io.helidon.common.tls.Tls;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private Contents served;
    private Contents rejected;

    private ServingCertificateWatcher(Path certFile, Path keyFile, Contents served) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.served = served;
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
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        // content first, then the TLS: a change in between is newer than what was recorded, so the
        // next check applies it again rather than missing it
        Contents contents = Contents.read(certFile, keyFile);
        Tls tls = ServingCertificates.fromFiles(certFile, keyFile);
        return new Loaded(new ServingCertificateWatcher(certFile, keyFile, contents), tls);
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
        lock.lock();
        try {
            Contents now = Contents.read(certFile, keyFile);
            if (now.equals(served)) {
                rejected = null; // back to what is served: a later breakage is news again
                return false;
            }
            if (now.equals(rejected)) {
                return false;
            }
            Tls tls;
            try {
                // reads the files again: if they changed once more in between, what is applied is
                // newer than "now", and the next check applies it again (harmless)
                tls = ServingCertificates.fromFiles(certFile, keyFile);
                reload.accept(tls);
            } catch (RuntimeException e) {
                // thrown out of a scheduled task it would silently end all later checks
                rejected = now;
                LOG.log(Level.WARNING, "serving certificate change not applied, the previous certificate is still"
                        + " served (a new one is applied as soon as both files load and match): {0}", e.getMessage());
                return false;
            }
            served = now;
            rejected = null;
            LOG.log(Level.INFO, "serving certificate reloaded from {0} and {1}", certFile, keyFile);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The bytes of both files as last read; a file that could not be read is {@code null}. */
    private record Contents(byte[] cert, byte[] key) {

        static Contents read(Path certFile, Path keyFile) {
            return new Contents(bytes(certFile), bytes(keyFile));
        }

        private static byte[] bytes(Path file) {
            try {
                if (Files.size(file) > PemFiles.MAX_FILE_BYTES) {
                    return null; // loading it reports the size
                }
                return Files.readAllBytes(file);
            } catch (IOException e) {
                return null; // loading it reports why
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Contents that && Arrays.equals(cert, that.cert) && Arrays.equals(key, that.key);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(cert) + Arrays.hashCode(key);
        }

        @Override
        public String toString() {
            return "Contents[" + (cert == null ? "unreadable" : cert.length + " bytes") + ", "
                    + (key == null ? "unreadable" : key.length + " bytes") + "]";
        }
    }
}
