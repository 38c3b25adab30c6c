package io.externalmetrics.adapter.config;

import io.externalmetrics.adapter.security.ClientTlsFiles;
import io.externalmetrics.adapter.security.TlsSetupException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * TLS to one provider, instead of plaintext (the default, meant for a sidecar on loopback). The
 * files are re-read while the adapter runs, so rotated certificates are used without a restart.
 *
 * @param caFile     the CA certificates that sign the provider's server certificate; empty: the
 *                   JVM's default trust store
 * @param certFile   the adapter's client certificate chain, for mutual TLS; given with {@code keyFile}
 * @param keyFile    the private key of {@code certFile}; given with {@code certFile}
 * @param serverName the name checked in the provider's certificate and sent as SNI and authority,
 *                   instead of the target's host
 */
public record ProviderTls(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile,
                          Optional<String> serverName) {

    // RFC 1123 host names (as a certificate's DNS names are written) and IPv4 literals
    private static final Pattern SERVER_NAME = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    public ProviderTls {
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(serverName, "serverName");
        Optional<String> problem = pairProblem(certFile.isPresent(), keyFile.isPresent());
        if (problem.isPresent()) {
            throw new ConfigException("tls: " + problem.get());
        }
        problem = serverName.flatMap(ProviderTls::serverNameProblem);
        if (problem.isPresent()) {
            throw new ConfigException("tls: serverName: " + problem.get());
        }
    }

    /** What is wrong with giving one of {@code certFile} and {@code keyFile}, or nothing: both or neither. */
    static Optional<String> pairProblem(boolean certFile, boolean keyFile) {
        if (certFile == keyFile) {
            return Optional.empty();
        }
        return Optional.of(certFile
                ? "certFile is given without keyFile; mutual TLS needs both (or neither, for TLS without a client "
                        + "certificate)"
                : "keyFile is given without certFile; mutual TLS needs both (or neither, for TLS without a client "
                        + "certificate)");
    }

    /**
     * What is wrong with TLS to a Unix socket {@code target} without a server name, or nothing: gRPC
     * uses the socket's path as the channel's authority (its {@code UdsNameResolver}), so the provider's
     * certificate would be checked against a path, which no certificate names, and every connection fails.
     */
    static Optional<String> unixSocketProblem(String target, ProviderTls tls) {
        if (tls.serverName().isPresent() || !Targets.isUnixSocket(target)) {
            return Optional.empty();
        }
        return Optional.of("required with tls to a unix: target (\"" + target + "\"): without it gRPC checks the "
                + "provider's certificate against the socket's path; give a name the certificate holds, e.g. "
                + "serverName: provider.local");
    }

    /** What is wrong with a server name, or nothing: a DNS name or IPv4 address of at most 253 characters. */
    static Optional<String> serverNameProblem(String serverName) {
        return serverName.length() <= 253 && SERVER_NAME.matcher(serverName).matches()
                ? Optional.empty()
                : Optional.of("\"" + serverName + "\" is not a DNS name or IPv4 address (no port, scheme or path)");
    }

    /** What is wrong with a CA or certificate file, or nothing: it must exist and hold PEM certificates. */
    static Optional<String> certificatesProblem(Path file) {
        try {
            ClientTlsFiles.trustedCertificates(file);
            return Optional.empty();
        } catch (TlsSetupException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * What is wrong with a client key, or nothing: it must exist and belong to the first certificate of
     * {@code certFile} (whose own problems {@link #certificatesProblem} reports first).
     */
    static Optional<String> identityProblem(Path certFile, Path keyFile) {
        try {
            ClientTlsFiles.identity(certFile, keyFile);
            return Optional.empty();
        } catch (TlsSetupException e) {
            return Optional.of(e.getMessage());
        }
    }
}
