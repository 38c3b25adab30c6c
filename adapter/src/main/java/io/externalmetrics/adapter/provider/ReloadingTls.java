package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.config.ProviderTls;
import io.externalmetrics.adapter.security.ClientTlsFiles;
import io.externalmetrics.adapter.security.TlsSetupException;
import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The TLS credentials of one provider's channel, re-read from their files while it runs. gRPC's
 * {@link AdvancedTlsX509TrustManager} and {@link AdvancedTlsX509KeyManager} hold the current
 * certificates; every period this reads the files and, when their bytes changed, hands the new
 * certificates to them, so new connections use them (open ones keep theirs). The files are read
 * here rather than by gRPC's own file watching because that waits at least a minute, reads only
 * PKCS#8 keys, and cannot tell a certificate from a key it does not belong to (a rotation caught
 * half-written); a change that does not read is logged and the old credentials stay.
 */
final class ReloadingTls implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ReloadingTls.class.getName());

    private final String provider;
    private final ProviderTls files;
    private final Optional<AdvancedTlsX509TrustManager> trust;
    private final Optional<AdvancedTlsX509KeyManager> identity;
    private final ChannelCredentials credentials;
    private final Executor reader;
    private final AtomicBoolean reading = new AtomicBoolean();
    private final ScheduledFuture<?> checks;
    // read and written by one check at a time (the reading flag)
    private List<byte[]> loaded;
    private String lastProblem = "";

    private ReloadingTls(String provider, ProviderTls files, ScheduledExecutorService scheduler, Executor reader,
                         Duration period) {
        this.provider = provider;
        this.files = files;
        this.reader = reader;
        // the bytes before the certificates: a change in between is then seen by the first check
        this.loaded = contents();
        try {
            trust = files.caFile().isEmpty() ? Optional.empty() : Optional.of(
                    AdvancedTlsX509TrustManager.newBuilder().build());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a trust manager", e);
        }
        identity = files.certFile().isEmpty() ? Optional.empty() : Optional.of(new AdvancedTlsX509KeyManager());
        load();
        TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
        trust.ifPresent(builder::trustManager);
        identity.ifPresent(builder::keyManager);
        credentials = builder.build();
        checks = scheduler.scheduleWithFixedDelay(this::check, period.toNanos(), period.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /**
     * Reads {@code files} and starts checking them for changes every {@code period} on {@code scheduler}
     * (the reading itself runs on {@code reader}, so the scheduler never blocks on a disk).
     *
     * @throws TlsSetupException naming the file, when one does not read
     */
    static ReloadingTls start(String provider, ProviderTls files, ScheduledExecutorService scheduler,
                              Executor reader, Duration period) {
        return new ReloadingTls(provider, files, scheduler, reader, period);
    }

    /** Credentials for a channel, trusting and presenting what the files hold now. */
    ChannelCredentials credentials() {
        return credentials;
    }

    private void check() {
        if (!reading.compareAndSet(false, true)) {
            return; // the previous check is still reading
        }
        try {
            reader.execute(() -> {
                try {
                    reloadIfChanged();
                } finally {
                    reading.set(false);
                }
            });
        } catch (RuntimeException e) { // the executor is shutting down
            reading.set(false);
        }
    }

    private void reloadIfChanged() {
        try {
            List<byte[]> now = contents();
            if (same(now, loaded)) {
                return;
            }
            load();
            loaded = now;
            lastProblem = "";
            LOG.log(Level.INFO, "provider \"{0}\": TLS files changed; new connections use the new certificates",
                    provider);
        } catch (RuntimeException e) {
            // logged once per distinct problem: the files are checked again every period
            String problem = e.getMessage() == null ? e.toString() : e.getMessage();
            if (!problem.equals(lastProblem)) {
                lastProblem = problem;
                LOG.log(Level.WARNING, "provider \"{0}\": TLS files changed but cannot be used, keeping the "
                        + "previous certificates: {1}", provider, problem);
            }
        }
    }

    /** Reads every file and hands the certificates to the managers; throws naming the file on a problem. */
    private void load() {
        Optional<List<X509Certificate>> ca = files.caFile().map(ClientTlsFiles::trustedCertificates);
        Optional<ClientTlsFiles.Identity> id = files.certFile().map(
                cert -> ClientTlsFiles.identity(cert, files.keyFile().orElseThrow()));
        try {
            if (ca.isPresent()) {
                trust.orElseThrow().updateTrustCredentials(ca.get().toArray(X509Certificate[]::new));
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("CA file " + files.caFile().orElseThrow() + ": " + e.getMessage(), e);
        }
        id.ifPresent(i -> identity.orElseThrow().updateIdentityCredentials(
                i.chain().toArray(X509Certificate[]::new), i.key()));
    }

    private List<byte[]> contents() {
        List<byte[]> contents = new ArrayList<>();
        for (Optional<Path> file : List.of(files.caFile(), files.certFile(), files.keyFile())) {
            try {
                contents.add(file.isEmpty() ? new byte[0] : Files.readAllBytes(file.get()));
            } catch (IOException e) {
                throw new TlsSetupException("TLS file " + file.get() + ": cannot be read (" + e + ")", e);
            }
        }
        return contents;
    }

    private static boolean same(List<byte[]> a, List<byte[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Stops checking the files. */
    @Override
    public void close() {
        checks.cancel(false);
    }
}
