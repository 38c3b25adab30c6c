package io.externalmetrics.adapter.config;

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
 */
public record ServerConfig(String address, int port, Optional<TlsFiles> tls, List<String> dnsNames) {

    /** The default HTTPS port, as apiserver-based adapters use. */
    public static final int DEFAULT_PORT = 6443;

    public ServerConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
        dnsNames = List.copyOf(dnsNames);
        if (port < 0 || port > 65535) {
            throw new ConfigException("server.port: " + port + " is not a port number (0-65535)");
        }
    }

    /** Defaults: every interface, port 6443, self-signed certificate. */
    public static ServerConfig defaults() {
        return new ServerConfig("0.0.0.0", DEFAULT_PORT, Optional.empty(), List.of());
    }
}
