package io.externalmetrics.adapter.provider;

import io.externalmetrics.adapter.config.ProviderTls;
import io.externalmetrics.adapter.security.ClientTlsFiles;
import io.externalmetrics.adapter.security.FileReloader;
import io.externalmetrics.adapter.security.TlsSetupException;
import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

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
    private final FileReloader changes;

    private ReloadingTls(String provider, ProviderTls files, ScheduledExecutorService scheduler, Executor reader,
                         Duration period) {
        this.provider = provider;
        this.files = files;
        this.reader = reader;
        // the content before the certificates: see FileReloader
        this.changes = new FileReloader(Stream.of(files.caFile(), files.certFile(), files.keyFile())
                .flatMap(Optional::stream).toList());
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

    /**
     * An {@link SSLContext} trusting and presenting what the files hold now, for an HTTPS client
     * (an {@code externalMetricsApi} upstream): the same reloading managers as {@link #credentials}.
     * Without a CA file the JVM's default trust store is used.
     *
     * @param trustInstead what checks the server instead of the CA file (for {@code insecureSkipTLSVerify})
     */
    SSLContext sslContext(Optional<TrustManager> trustInstead) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(identity.map(id -> new KeyManager[] {id}).orElse(null),
                    trustInstead.or(() -> trust.map(TrustManager.class::cast)).map(t -> new TrustManager[] {t})
                            .orElse(null), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context", e);
        }
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
        boolean applied = changes.check(this::load, problem -> LOG.log(Level.WARNING, "provider \"{0}\": TLS "
                + "files changed but cannot be used, keeping the previous certificates: {1}", provider,
                problem.getMessage() == null ? problem.toString() : problem.getMessage()));
        if (applied) {
            LOG.log(Level.INFO, "provider \"{0}\": TLS files changed; new connections use the new certificates",
                    provider);
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

    /** Stops checking the files. */
    @Override
    public void close() {
        checks.cancel(false);
    }
}
