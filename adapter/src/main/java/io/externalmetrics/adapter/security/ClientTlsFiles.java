package io.externalmetrics.adapter.security;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * Reads the PEM files of a TLS client (the adapter calling a provider): the CA certificates it
 * trusts, and the certificate and key it presents for mutual TLS. Every problem is a
 * {@link TlsSetupException} naming the file, so configuration checks and reloads report it alike.
 */
public final class ClientTlsFiles {

    private ClientTlsFiles() {
    }

    /**
     * A certificate chain and the private key of its first certificate.
     *
     * @param key   the private key
     * @param chain the certificates, leaf first; not empty
     */
    public record Identity(PrivateKey key, List<X509Certificate> chain) {
        public Identity {
            Objects.requireNonNull(key, "key");
            chain = List.copyOf(chain);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("chain must not be empty");
            }
        }
    }

    /**
     * The CA certificates of {@code caFile}, every {@code CERTIFICATE} block in it.
     *
     * @throws TlsSetupException naming the file, when it is missing, unreadable or holds no certificate
     */
    public static List<X509Certificate> trustedCertificates(Path caFile) {
        return PemFiles.readCertificates(Objects.requireNonNull(caFile, "caFile"));
    }

    /**
     * The certificate chain of {@code certFile} and the private key of {@code keyFile}.
     *
     * @throws TlsSetupException naming the file, when a file is missing or unreadable, holds no
     *                           certificate or no readable key, or the key does not belong to the
     *                           first certificate
     */
    public static Identity identity(Path certFile, Path keyFile) {
        List<X509Certificate> chain = PemFiles.readCertificates(Objects.requireNonNull(certFile, "certFile"));
        PrivateKey key = PemFiles.readPrivateKey(Objects.requireNonNull(keyFile, "keyFile"));
        ServingCertificates.checkKeyBelongsToCertificate(key, chain, certFile, keyFile); // the server's rule
        return new Identity(key, chain);
    }
}
