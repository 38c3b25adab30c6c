package io.externalmetrics.provider;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serves registered metrics to the externalmetrics adapter over gRPC ({@code
 * externalmetrics.v1.MetricProvider}: Fetch, Describe and Watch).
 *
 * <pre>{@code
 * public static void main(String[] args) throws InterruptedException {
 *     var server = MetricProviderServer.builder()
 *             .port(50051)
 *             .addMetric(Namespace.ALL, "incrementable", Trigger.every(Duration.ofSeconds(1)),
 *                     request -> Value.of(counter.get()))
 *             .build()
 *             .start();
 *     Runtime.getRuntime().addShutdownHook(new Thread(server::close));
 *     server.awaitTermination();
 * }
 * }</pre>
 *
 * <p>What the adapter sees:
 * <ul>
 *   <li>Fetch runs the metric's function on the {@linkplain Builder#executor executor} (virtual
 *       threads by default); a value returned without an {@linkplain Value#observedAt(java.time.Instant)
 *       observation time} gets the time the function returned. An unknown metric is
 *       {@code NOT_FOUND}; a function that throws is an error naming the metric with the
 *       exception's message ({@code UNKNOWN}, or the code of a thrown
 *       {@link io.grpc.StatusRuntimeException}); one returning null is {@code INTERNAL}; one
 *       still running at the call's deadline makes the call fail with {@code DEADLINE_EXCEEDED}
 *       and is interrupted. A failing function never takes the server down.</li>
 *   <li>Describe lists every metric with its trigger and max age.</li>
 *   <li>Watch streams one event per {@link EventTrigger#fire()} of the push metrics asked for
 *       (all of them if none are named); every open stream gets every event, and events for a
 *       stream that cannot keep up coalesce, one per metric.</li>
 * </ul>
 *
 * <p>The connection is plaintext unless {@linkplain Builder#tls TLS} is configured: plaintext suits
 * a sidecar the adapter reaches on loopback; across the network, serve TLS, and with
 * {@link Builder#requireClientCertificates} only an adapter presenting a certificate from your CA
 * (the adapter's {@code providers[].tls.certFile}) is served:
 * <pre>{@code
 * MetricProviderServer.builder()
 *         .address("0.0.0.0")
 *         .tls(Path.of("/etc/provider/tls.crt"), Path.of("/etc/provider/tls.key"))
 *         .requireClientCertificates(Path.of("/etc/provider/client-ca.crt"))
 *         ...
 * }</pre>
 *
 * <p>The certificate, its key and the client CAs are re-read every {@linkplain Builder#tlsCheckInterval
 * interval} (cert-manager and Kubernetes rotate them in place): new connections get what the files hold
 * once they hold a certificate with its own key; files that do not (a rotation half written, a broken
 * file) are logged once and the previous credentials stay.
 *
 * <p>Either {@link #start()} it, or mount {@link #bindableService()} in a gRPC server of your own.
 * Either way, {@link #close()} it when done. Thread-safe.
 */
public final class MetricProviderServer implements AutoCloseable {

    /** How long {@link #close()} lets calls in flight finish before cutting them off. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
    // The adapter keeps Watch streams open for hours and may ping to keep NATs and proxies from
    // dropping them; gRPC's default (one ping per 5 minutes) would answer such pings with GOAWAY.
    private static final long PERMITTED_KEEPALIVE_SECONDS = 10;

    private final String address;
    private final int requestedPort;
    private final MetricProviderService service;
    private final Optional<Path> certFile;
    private final Optional<Path> keyFile;
    private final Optional<Path> clientCaFile;
    private final Duration tlsCheckInterval;
    private final ExecutorService ownedExecutor; // null: the author's executor, not ours to stop

    private final ReentrantLock lock = new ReentrantLock();
    private Server server; // guarded by lock; null until started
    private Optional<ReloadingServerTls> tls = Optional.empty(); // guarded by lock
    private Optional<ScheduledExecutorService> tlsChecks = Optional.empty(); // guarded by lock
    private boolean closing; // guarded by lock
    private final CountDownLatch terminated = new CountDownLatch(1);

    private MetricProviderServer(Builder builder) {
        this.address = builder.address;
        this.requestedPort = builder.port;
        this.certFile = builder.certFile;
        this.keyFile = builder.keyFile;
        this.clientCaFile = builder.clientCaFile;
        this.tlsCheckInterval = builder.tlsCheckInterval;
        Executor executor = builder.executor;
        if (executor == null) {
            ownedExecutor = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("metric-function-", 0).factory());
            executor = ownedExecutor;
        } else {
            ownedExecutor = null;
        }
        this.service = new MetricProviderService(new ArrayList<>(builder.metrics.values()), executor,
                builder.clock);
    }

    /**
     * A builder: port 50051 on 127.0.0.1, virtual threads, no metrics yet.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port and starts serving; returns once the port is bound.
     *
     * @return this server
     * @throws UncheckedIOException if the address cannot be bound (e.g. the port is in use), or a TLS
     *     file cannot be read
     * @throws IllegalArgumentException if the TLS files are not a PEM certificate chain and its PKCS#8 key
     * @throws IllegalStateException if already started or closed
     */
    public MetricProviderServer start() {
        lock.lock();
        try {
            if (closing) {
                throw new IllegalStateException("server is closed");
            }
            if (server != null) {
                throw new IllegalStateException("server is already started");
            }
            Optional<ReloadingServerTls> reloading = certFile.map(cert -> ReloadingServerTls.load(cert,
                    keyFile.orElseThrow(), clientCaFile));
            ServerCredentials credentials = reloading.map(ReloadingServerTls::credentials)
                    .orElseGet(InsecureServerCredentials::create);
            Server s = NettyServerBuilder.forAddress(new InetSocketAddress(address, requestedPort), credentials)
                    .permitKeepAliveTime(PERMITTED_KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    // the service's handlers never block (metric functions run on the executor), so gRPC
                    // runs them on the thread that read the call instead of handing each call to a pool
                    .directExecutor()
                    .addService(service)
                    .build();
            try {
                s.start();
            } catch (IOException e) {
                s.shutdownNow();
                throw new UncheckedIOException("cannot listen on " + address + ":" + requestedPort
                        + ": " + e.getMessage(), e);
            }
            server = s;
            tls = reloading;
            tlsChecks = reloading.map(files -> {
                ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(
                        Thread.ofPlatform().name("metric-provider-tls").daemon().factory());
                checks.scheduleWithFixedDelay(files::check, tlsCheckInterval.toNanos(), tlsCheckInterval.toNanos(),
                        TimeUnit.NANOSECONDS);
                return checks;
            });
            return this;
        } finally {
            lock.unlock();
        }
    }

    /** Re-reads the TLS files now, as is done every check interval; for tests. */
    boolean checkTlsFiles() {
        lock.lock();
        try {
            return tls.map(ReloadingServerTls::check).orElse(false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The port the server listens on: the one it was given, or the one picked for {@code port(0)}.
     *
     * @return the bound port
     * @throws IllegalStateException if not started
     */
    public int port() {
        lock.lock();
        try {
            if (server == null) {
                throw new IllegalStateException("server is not started: call start() first");
            }
            return server.getPort();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The metrics as a gRPC service, to mount in a gRPC server of your own instead of calling
     * {@link #start()}: {@code ServerBuilder.addService(provider.bindableService())}. It is the same
     * service {@link #start()} serves. Call {@link #close()} before shutting your server down, so
     * Watch streams end and do not hold up its graceful shutdown. Its handlers never block (metric
     * functions run on the {@linkplain Builder#executor executor}): your server may take
     * {@code directExecutor()}, as {@link #start()}'s does, saving a thread hand-off per call.
     *
     * @return the service
     */
    public BindableService bindableService() {
        return service;
    }

    /**
     * Shuts down gracefully: ends every Watch stream, stops taking calls, lets calls in flight
     * finish for up to 5 seconds, then cuts off the rest and interrupts metric functions still
     * running. Returns when done; idempotent (a second caller waits for the first).
     */
    @Override
    public void close() {
        Server s;
        boolean first;
        lock.lock();
        try {
            first = !closing;
            closing = true;
            s = server;
            tlsChecks.ifPresent(ScheduledExecutorService::shutdownNow);
        } finally {
            lock.unlock();
        }
        if (!first) {
            awaitUninterruptibly(); // another thread is closing: return when it is done
            return;
        }
        try {
            service.close(); // ends Watch streams, which would otherwise hold up shutdown()
            if (s != null) {
                s.shutdown();
                if (!s.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    s.shutdownNow();
                }
            }
            if (ownedExecutor != null) {
                ownedExecutor.shutdown();
                if (!ownedExecutor.awaitTermination(SHUTDOWN_GRACE.toMillis(),
                        TimeUnit.MILLISECONDS)) {
                    ownedExecutor.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            if (s != null) {
                s.shutdownNow();
            }
            if (ownedExecutor != null) {
                ownedExecutor.shutdownNow();
            }
            Thread.currentThread().interrupt();
        } finally {
            terminated.countDown();
        }
    }

    /**
     * Blocks until {@link #close()} has finished, e.g. at the end of a {@code main} whose shutdown
     * hook closes the server.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Open Watch streams; for tests. */
    int watchers() {
        return service.watchers();
    }

    /** Events waiting on slow Watch streams; for tests. */
    int pendingEvents() {
        return service.pendingEvents();
    }

    private void awaitUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Configures and builds a {@link MetricProviderServer}. Each method checks its arguments at
     * once and fails with a message naming the bad one.
     */
    public static final class Builder {

        private int port = 50051;
        private String address = "127.0.0.1";
        private Executor executor; // null: virtual threads, owned by the server
        private Optional<Path> certFile = Optional.empty();
        private Optional<Path> keyFile = Optional.empty();
        private Optional<Path> clientCaFile = Optional.empty();
        private Duration tlsCheckInterval = Duration.ofSeconds(2);
        private Clock clock = Clock.systemUTC();
        private final Map<MetricKey, Registration> metrics = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * The TCP port to listen on. Default 50051.
         *
         * @param port 0 to 65535; 0 picks a free port (see {@link MetricProviderServer#port()})
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The address to listen on. Default {@code 127.0.0.1}: reachable only from the same host
         * (or pod, when the provider runs as the adapter's sidecar). Use {@code "0.0.0.0"} to
         * accept connections from other hosts; the connection is plaintext unless {@link #tls} is
         * set.
         *
         * @param host an IP address or host name
         * @return this builder
         */
        public Builder address(String host) {
            Objects.requireNonNull(host, "host must not be null");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.address = host;
            return this;
        }

        /**
         * Registers a metric.
         *
         * @param namespace a Kubernetes namespace, or {@link Namespace#ALL} for one value served
         *     in every namespace
         * @param name the metric name, as an HPA's {@code external.metric.name} writes it;
         *     non-empty, without '/', '%' or whitespace
         * @param trigger when the adapter fetches it again
         * @param function computes it
         * @return this builder
         * @throws IllegalArgumentException if an argument is invalid, or a metric with this
         *     namespace and name is already registered
         */
        public Builder addMetric(String namespace, String name, Trigger trigger,
                MetricFunction function) {
            return add(namespace, name, trigger, Optional.empty(), function);
        }

        /**
         * Registers a metric with a max age: how old its value may become before the adapter
         * stops serving it as fresh (without one, the adapter's default: three intervals for an
         * interval metric).
         *
         * @param namespace a Kubernetes namespace, or {@link Namespace#ALL}
         * @param name the metric name; non-empty, without '/', '%' or whitespace
         * @param trigger when the adapter fetches it again
         * @param maxAge the max age; positive
         * @param function computes it
         * @return this builder
         * @throws IllegalArgumentException if an argument is invalid, or a metric with this
         *     namespace and name is already registered
         */
        public Builder addMetric(String namespace, String name, Trigger trigger, Duration maxAge,
                MetricFunction function) {
            Objects.requireNonNull(maxAge, "maxAge must not be null");
            if (maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
            }
            return add(namespace, name, trigger, Optional.of(maxAge), function);
        }

        /**
         * The executor that runs metric functions. Default: a new virtual thread per call, shut
         * down by {@link MetricProviderServer#close()}. An executor given here is not shut down by
         * the server. It is handed each call on the thread that serves the connection, so its
         * {@code execute} must not block, and it may run a function on the calling thread only when
         * the function never blocks either (one that returns a value it holds, say).
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor must not be null");
            return this;
        }

        /**
         * The clock that stamps the observation time of a value returned without one ({@link
         * Value#observedAt(java.time.Instant)}): its {@code instant()} when the metric function
         * returns. Default: the system clock. A test passes a clock it moves itself.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Serves TLS (1.2 and 1.3) with this certificate and key instead of plaintext. The adapter
         * trusts it through {@code providers[].tls.caFile} (the CA that signed it) and checks that it
         * names the host of the provider's target, or {@code providers[].tls.serverName}. The files
         * are read when the server {@linkplain MetricProviderServer#start() starts}, and again every
         * {@linkplain #tlsCheckInterval interval} while it serves.
         *
         * @param certFile the PEM certificate chain, the server's own certificate first
         * @param keyFile the PEM private key of that certificate, unencrypted PKCS#8
         *     ({@code -----BEGIN PRIVATE KEY-----}; {@code openssl pkcs8 -topk8 -nocrypt} converts others)
         * @return this builder
         * @throws IllegalArgumentException if a file does not exist or cannot be read
         */
        public Builder tls(Path certFile, Path keyFile) {
            this.certFile = Optional.of(readable("certFile", certFile));
            this.keyFile = Optional.of(readable("keyFile", keyFile));
            return this;
        }

        /**
         * Requires every client to present a certificate signed by a CA of {@code caFile} (mutual
         * TLS): a connection without one, or with one from another CA, fails its TLS handshake
         * before any call. Needs {@link #tls}. The file is re-read like the certificate: a changed CA
         * is checked against from the next connection on. The server names no CA in its handshake,
         * so a client picks its certificate without regard to which CA the file holds now.
         *
         * @param caFile the PEM certificates of the CAs that sign client certificates
         * @return this builder
         * @throws IllegalArgumentException if the file does not exist or cannot be read
         */
        public Builder requireClientCertificates(Path caFile) {
            this.clientCaFile = Optional.of(readable("caFile", caFile));
            return this;
        }

        /**
         * How often the TLS files are checked for a new certificate, key or client CA. Default 2 seconds.
         *
         * @param interval positive
         * @return this builder
         */
        public Builder tlsCheckInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval must not be null");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("interval must be positive, got " + interval);
            }
            this.tlsCheckInterval = interval;
            return this;
        }

        private static Path readable(String name, Path file) {
            Objects.requireNonNull(file, name + " must not be null");
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new IllegalArgumentException(name + " must be a readable file, got " + file);
            }
            return file;
        }

        /**
         * Builds the server, without binding a port yet (see {@link MetricProviderServer#start()}).
         * Triggers made by {@link Trigger#from} subscribe to their publishers now.
         *
         * @return the server
         * @throws IllegalStateException if client certificates are required without TLS
         */
        public MetricProviderServer build() {
            if (clientCaFile.isPresent() && certFile.isEmpty()) {
                throw new IllegalStateException("requireClientCertificates needs tls(certFile, keyFile): client "
                        + "certificates are only checked on a TLS connection");
            }
            return new MetricProviderServer(this);
        }

        private Builder add(String namespace, String name, Trigger trigger,
                Optional<Duration> maxAge, MetricFunction function) {
            Labels.checkNamespace("namespace", namespace);
            Labels.checkMetricName("name", name);
            Objects.requireNonNull(trigger, "trigger must not be null");
            Objects.requireNonNull(function, "function must not be null");
            var key = new MetricKey(namespace, name);
            if (metrics.containsKey(key)) {
                throw new IllegalArgumentException(key + " is already registered; each (namespace,"
                        + " name) may be registered once");
            }
            metrics.put(key, new Registration(key, trigger, maxAge, function));
            return this;
        }
    }
}
