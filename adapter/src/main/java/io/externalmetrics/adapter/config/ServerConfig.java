package io.externalmetrics.adapter.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTPS server's settings.
 *
 * @param address  the bind address
 * @param port     the port; 0 picks a free one (tests)
 * @param tls      certificate and key files; empty means a self-signed certificate made at start
 * @param dnsNames extra subject alternative names of the self-signed certificate
 * @param shutdownGrace on SIGTERM, how long requests under way may take to finish before the process
 *                      exits anyway; Kubernetes' {@code terminationGracePeriodSeconds} (30 s by default)
 *                      should be longer
 */
public record ServerConfig(String address, int port, Optional<TlsFiles> tls, List<String> dnsNames,
                           Duration shutdownGrace) {

    /** The default HTTPS port, as apiserver-based adapters use. */
    public static final int DEFAULT_PORT = 6443;
    /** The default shutdown grace: a third of Kubernetes' default termination grace period. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    /** The longest shutdown grace the configuration file may set. */
    public static final Duration MAX_SHUTDOWN_GRACE = Duration.ofMinutes(10);

    public ServerConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        dnsNames = List.copyOf(dnsNames);
        if (port < 0 || port > 65535) {
            throw new ConfigException("server.port: " + port + " is not a port number (0-65535)");
        }
        if (shutdownGrace.isNegative() || shutdownGrace.isZero()) {
            throw new ConfigException("server.shutdownGrace: must be positive");
        }
    }

    /** Settings with the {@linkplain #DEFAULT_SHUTDOWN_GRACE default shutdown grace}. */
    public ServerConfig(String address, int port, Optional<TlsFiles> tls, List<String> dnsNames) {
        this(address, port, tls, dnsNames, DEFAULT_SHUTDOWN_GRACE);
    }

    /** Defaults: every interface, port 6443, self-signed certificate, a shutdown grace of 10 s. */
    public static ServerConfig defaults() {
        return new ServerConfig("0.0.0.0", DEFAULT_PORT, Optional.empty(), List.of());
    }
}
