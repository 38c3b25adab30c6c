package io.externalmetrics.adapter;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.config.AdapterConfig;
import io.externalmetrics.adapter.config.ServerConfig;
import io.externalmetrics.adapter.config.TlsFiles;
import io.externalmetrics.adapter.http.ApiHandler;
import io.externalmetrics.adapter.http.ApiRouting;
import io.externalmetrics.adapter.http.RequestChecks;
import io.externalmetrics.adapter.http.RequestMetrics;
import io.externalmetrics.adapter.http.StatusDirectHandler;
import io.externalmetrics.adapter.http.UnreadableRequestSelector;
import io.externalmetrics.adapter.provider.ProviderManager;
import io.externalmetrics.adapter.security.ServingCertificateWatcher;
import io.externalmetrics.adapter.security.ServingCertificates;
import io.externalmetrics.adapter.telemetry.Telemetry;
import io.helidon.common.tls.Tls;
import io.helidon.http.DirectHandler;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http2.Http2Config;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A running adapter: the metric cache, the provider clients and the HTTPS server. Start it with
 * {@link #start}, stop it with {@link #close}.
 */
public final class Adapter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Adapter.class.getName());
    /** The largest HTTP/2 header block read (to be answered 431 by {@link RequestChecks}); Go's default. */
    static final int MAX_HTTP2_HEADER_BLOCK_BYTES = 1 << 20;
    /** How often the serving certificate files are checked for changes (as the configuration file is). */
    static final Duration CERTIFICATE_POLL = Duration.ofSeconds(2);

    private final MetricCache cache;
    private final ProviderManager providers;
    private final WebServer server;
    private final Optional<String> selfSignedPem;
    private final Optional<ServingCertificateWatcher> certificates;
    private final Optional<ScheduledExecutorService> certificatePoller;
    private final AccessSetup access;
    private final KubernetesServices kubernetes;
    private final ReentrantLock configLock = new ReentrantLock();
    // guarded by configLock
    private AdapterConfig config;
    private ScheduledExecutorService configPoller;

    private Adapter(AdapterConfig config, MetricCache cache, ProviderManager providers, WebServer server,
                    Optional<String> selfSignedPem, Optional<ServingCertificateWatcher> certificates,
                    Optional<ScheduledExecutorService> certificatePoller, AccessSetup access,
                    KubernetesServices kubernetes) {
        this.config = config;
        this.access = access;
        this.kubernetes = kubernetes;
        this.cache = cache;
        this.providers = providers;
        this.server = server;
        this.selfSignedPem = selfSignedPem;
        this.certificates = certificates;
        this.certificatePoller = certificatePoller;
    }

    /**
     * Starts an adapter that reaches the kube-apiserver, when its configuration needs it (SubjectAccessReview,
     * TokenReview, the front proxy's settings from the cluster), through {@code kubernetes.kubeconfig} or
     * else the pod's service account.
     *
     * @see #start(AdapterConfig, Clock, KubernetesServices)
     */
    public static Adapter start(AdapterConfig config, Clock clock) {
        return start(config, clock, new ApiserverServices());
    }

    /**
     * Starts an adapter reaching providers over plaintext gRPC. Certificate files and CA files, when
     * configured, are checked for changes every {@link #CERTIFICATE_POLL}, and a changed, valid file
     * is used for new connections (certificates) or requests (CAs) without a restart.
     *
     * @param kubernetes what needs the kube-apiserver, asked for only when the configuration uses it;
     *                   closed when the adapter stops (or fails to start)
     */
    public static Adapter start(AdapterConfig config, Clock clock, KubernetesServices kubernetes) {
        try {
            return start(config, clock, AccessSetup.create(config.security(), kubernetes, clock), kubernetes);
        } catch (RuntimeException e) {
            kubernetes.close();
            throw e;
        }
    }

    private static Adapter start(AdapterConfig config, Clock clock, AccessSetup access,
                                 KubernetesServices kubernetes) {
        ServerConfig serverConfig = config.server();
        // the serving TLS is made on a thread of its own while the providers start and the server is set up:
        // an EC key's first use (generating the self-signed key, or checking that a key file belongs to its
        // certificate) builds the JDK's P-256 tables, some 150 ms of CPU, and BouncyCastle then signs the
        // self-signed certificate; the listener is built only once it is done
        var servingTls = new FutureTask<>(() -> ServingTls.make(serverConfig, clock, access));
        Thread.ofPlatform().name("externalmetrics-certificate").daemon().start(servingTls);
        var telemetry = new Telemetry(clock);
        var cache = new MetricCache(clock, telemetry);
        telemetry.observe(cache);
        // providers first: readiness waits for each to answer once, and connecting to them (on their own
        // threads) then overlaps making the serving certificate and starting the server
        ProviderManager providers = ProviderManager.start(config.providers(), cache, clock, telemetry);
        try {
            var handler = new ApiHandler(cache, providers::ready, providers::fetchCounts, clock, access.notReady());
            WebServerConfig.Builder builder = WebServer.builder()
                    .host(serverConfig.address())
                    .port(serverConfig.port())
                    .shutdownHook(false)
                    // on close: no new connections, requests under way get this long to finish
                    .shutdownGracePeriod(serverConfig.shutdownGrace())
                    // without it every HTTP/2 answer waits for Nagle's algorithm (~40 ms)
                    .connectionOptions(options -> options.tcpNoDelay(true))
                    // room for the longest selector we accept, percent-encoded, plus the aggregator's
                    // X-Remote-* headers: Helidon's defaults (4 KiB request line, 8 KiB HTTP/2
                    // header list) would refuse selectors the contract allows. RequestChecks answers
                    // larger requests (414, 431) on both protocols; the parsers read more than it allows
                    // so that it is what answers: HTTP/1.1 headers up to twice the limit (beyond,
                    // Helidon answers 400), HTTP/2 header blocks up to 1 MiB encoded, as Go's servers
                    // (beyond, Helidon ends the connection)
                    .addProtocol(Http1Config.builder()
                            .maxPrologueLength(RequestChecks.MAX_TARGET_BYTES)
                            .maxHeadersSize(2 * RequestChecks.MAX_HEADER_BYTES)
                            .build())
                    .addProtocol(Http2Config.builder()
                            .maxHeaderListSize(MAX_HTTP2_HEADER_BLOCK_BYTES)
                            // Helidon's HTTP/2 path validation throws out of the connection (ending every
                            // stream on it) for a path such as ///: RequestChecks checks the path instead
                            .validatePath(false)
                            .build())
                    // answers a first request line no protocol claims, which Helidon would drop unanswered
                    .addConnectionSelector(new UnreadableRequestSelector())
                    .directHandlers(direct -> {
                        var statusHandler = new StatusDirectHandler();
                        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
                            direct.addHandler(type, statusHandler);
                        }
                    })
                    .routing(routing -> {
                        RequestMetrics.register(routing, telemetry, System::nanoTime); // counts every answer
                        RequestChecks.register(routing); // sizes and the path first, before authentication
                        new ApiRouting(handler, access.access(), telemetry).register(routing);
                    });
            ServingTls serving = await(servingTls);
            Optional<ServingCertificateWatcher> certificates = serving.watcher();
            builder.tls(serving.tls());
            WebServer server = builder.build().start();
            if (!server.isRunning()) {
                // Helidon logs why it could not bind and returns a stopped server with port -1
                throw new IllegalStateException("cannot listen on " + serverConfig.address() + ":" + serverConfig.port()
                        + " (is the port in use, or the address not this machine's? the log above says why)");
            }
            Optional<ScheduledExecutorService> certificatePoller = Optional.empty();
            try {
                if (certificates.isPresent() || !access.caFiles().isEmpty()) {
                    var poller = Executors.newSingleThreadScheduledExecutor(
                            Thread.ofPlatform().name("externalmetrics-certificates").daemon().factory());
                    certificatePoller = Optional.of(poller);
                    certificates.ifPresent(watcher -> watcher.watch(server::reloadTls, poller, CERTIFICATE_POLL));
                    if (!access.caFiles().isEmpty()) {
                        poller.scheduleWithFixedDelay(access::checkCaFiles, CERTIFICATE_POLL.toNanos(),
                                CERTIFICATE_POLL.toNanos(), TimeUnit.NANOSECONDS);
                    }
                }
            } catch (RuntimeException e) {
                certificatePoller.ifPresent(ScheduledExecutorService::shutdownNow);
                server.stop();
                throw e;
            }
            return new Adapter(config, cache, providers, server, serving.selfSignedPem(), certificates,
                    certificatePoller, access, kubernetes);
        } catch (RuntimeException e) {
            providers.close();
            throw e;
        }
    }

    /**
     * What the listener serves with: the certificate files and their watcher, or a self-signed
     * certificate (whose PEM {@link #selfSignedCertificatePem} gives).
     */
    private record ServingTls(Tls tls, Optional<ServingCertificateWatcher> watcher, Optional<String> selfSignedPem) {

        static ServingTls make(ServerConfig server, Clock clock, AccessSetup access) {
            if (server.tls().isPresent()) {
                TlsFiles files = server.tls().get();
                var loaded =
                        ServingCertificateWatcher.load(files.certFile(), files.keyFile(), access.clientCertificates());
                return new ServingTls(loaded.tls(), Optional.of(loaded.watcher()), Optional.empty());
            }
            var selfSigned = ServingCertificates.selfSigned(server.dnsNames(), clock, access.clientCertificates());
            return new ServingTls(selfSigned.tls(), Optional.empty(), Optional.of(selfSigned.certificatePem()));
        }
    }

    /** The result of a task run on a thread of its own (done or not), its failure thrown as it was. */
    private static <T> T await(FutureTask<T> task) {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the serving certificate", e);
        }
    }

    /**
     * Applies a new configuration without a restart: providers are added, removed or restarted
     * when changed; unchanged providers keep their channels and values. Server settings (address,
     * port, which TLS files) and {@code logFormat} need a restart: a change to them is logged and
     * otherwise ignored. (The content of the TLS files is reloaded on its own, see
     * {@link #checkServingCertificate}.)
     */
    public void reload(AdapterConfig next) {
        configLock.lock();
        try {
            if (!next.server().equals(config.server())) {
                LOG.log(Level.WARNING, "server settings changed; they take effect after a restart");
            }
            if (!next.security().equals(config.security())) {
                LOG.log(Level.WARNING, "authentication, authorization or kubernetes settings changed; they take "
                        + "effect after a restart");
            }
            if (next.logFormat() != config.logFormat()) {
                LOG.log(Level.WARNING, "logFormat changed to {0}; it takes effect after a restart",
                        next.logFormat().configName());
            }
            providers.update(next.providers());
            config = new AdapterConfig(config.server(), next.providers(), config.security(), config.logFormat());
        } finally {
            configLock.unlock();
        }
    }

    /** Re-reads {@code file} every {@code period} and applies it when its content changed and is valid. */
    public void watchConfig(Path file, Duration period) {
        var watcher = new ConfigWatcher(file, this::reload);
        configLock.lock();
        try {
            if (configPoller != null) {
                throw new IllegalStateException("already watching a configuration file");
            }
            configPoller = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("externalmetrics-config").daemon().factory());
            configPoller.scheduleWithFixedDelay(watcher::check, period.toNanos(), period.toNanos(),
                    TimeUnit.NANOSECONDS);
        } finally {
            configLock.unlock();
        }
    }

    /**
     * Re-reads the serving certificate files now, as is done every {@link #CERTIFICATE_POLL}: when
     * their content changed and they hold a matching certificate and key, new connections get the
     * new certificate; otherwise the current one stays (and the problem is logged once).
     *
     * @return whether a new certificate was applied; always false with the self-signed certificate
     */
    public boolean checkServingCertificate() {
        return certificates.map(watcher -> watcher.check(server::reloadTls)).orElse(false);
    }

    /**
     * Re-reads the CA files (request-header CA, client CA) now, as is done every
     * {@link #CERTIFICATE_POLL}: a changed file that reads is used from the next request on; a broken
     * one is logged once and the previous CAs stay.
     *
     * @return whether a new CA bundle was applied
     */
    public boolean checkCertificateAuthorities() {
        return access.checkCaFiles();
    }

    /** The bound HTTPS port. */
    public int port() {
        return server.port();
    }

    /** The self-signed serving certificate in PEM, when no certificate files were configured. */
    public Optional<String> selfSignedCertificatePem() {
        return selfSignedPem;
    }

    /** The metric cache (for tests and embedding). */
    public MetricCache cache() {
        return cache;
    }

    /** The provider clients (for tests and embedding). */
    public ProviderManager providers() {
        return providers;
    }

    /**
     * Stops serving: refuses new connections, closes idle ones, and lets requests under way finish for
     * up to {@code server.shutdownGrace} (then cuts them short); then stops the provider clients and
     * closes their channels.
     */
    @Override
    public void close() {
        configLock.lock();
        try {
            if (configPoller != null) {
                configPoller.shutdownNow();
            }
        } finally {
            configLock.unlock();
        }
        certificatePoller.ifPresent(poller -> {
            poller.shutdown(); // a check under way finishes before the server stops under it
            try {
                poller.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.stop();
        providers.close();
        kubernetes.close();
    }
}
