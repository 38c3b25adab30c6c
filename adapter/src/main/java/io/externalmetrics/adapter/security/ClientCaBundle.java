package io.externalmetrics.adapter.security;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * CA certificates that client certificates are verified against, as k8s.io/apiserver's x509
 * authenticator does with Go's {@code x509.Verify}: a path from the presented leaf, through the
 * intermediates the client sent, to one of these CAs, valid now, and every certificate on it that
 * names extended key usages allowing client authentication. The TLS handshake itself accepts any
 * certificate (it only proves the client holds the key), so verification happens here, against the
 * bundle current at request time: a rotated CA needs no TLS reload.
 */
public final class ClientCaBundle {

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

    private final List<X509Certificate> certificates;
    private final Set<TrustAnchor> anchors;

    private ClientCaBundle(List<X509Certificate> certificates) {
        this.certificates = List.copyOf(certificates);
        if (this.certificates.isEmpty()) {
            throw new IllegalArgumentException("a CA bundle needs at least one certificate");
        }
        var anchors = new LinkedHashSet<TrustAnchor>();
        for (X509Certificate certificate : this.certificates) {
            anchors.add(new TrustAnchor(certificate, null));
        }
        this.anchors = Set.copyOf(anchors);
    }

    /** The bundle of these CA certificates; not empty. */
    public static ClientCaBundle of(List<X509Certificate> certificates) {
        return new ClientCaBundle(certificates);
    }

    /**
     * Reads every {@code CERTIFICATE} block of a PEM file.
     *
     * @throws TlsSetupException naming the file, when it is missing, unreadable or holds no certificate
     */
    public static ClientCaBundle read(Path file) {
        return new ClientCaBundle(PemFiles.readCertificates(Objects.requireNonNull(file, "file")));
    }

    /**
     * Reads every {@code CERTIFICATE} block of PEM text, such as the ConfigMap
     * {@code extension-apiserver-authentication}'s {@code requestheader-client-ca-file}.
     *
     * @param source where the text comes from, for the message of a problem
     * @throws TlsSetupException naming {@code source}, when the text holds no valid certificate
     */
    public static ClientCaBundle parse(String pem, String source) {
        return new ClientCaBundle(PemFiles.parseCertificates(Objects.requireNonNull(pem, "pem"),
                Objects.requireNonNull(source, "source")));
    }

    /** The CA certificates, in file order. */
    public List<X509Certificate> certificates() {
        return certificates;
    }

    /**
     * The leaf of {@code chain} (leaf first, then any intermediates the client sent), when it
     * verifies against this bundle at {@code now} for client authentication.
     */
    public Optional<X509Certificate> verify(List<X509Certificate> chain, Instant now) {
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        X509Certificate leaf = chain.getFirst();
        try {
            var target = new X509CertSelector();
            target.setCertificate(leaf);
            var parameters = new PKIXBuilderParameters(anchors, target);
            parameters.setRevocationEnabled(false); // as Go's x509.Verify: no CRL or OCSP
            parameters.setDate(Date.from(now));
            parameters.addCertStore(CertStore.getInstance("Collection",
                    new CollectionCertStoreParameters(chain.subList(1, chain.size()))));
            var result = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(parameters);
            for (var certificate : result.getCertPath().getCertificates()) {
                if (!allowsClientAuth((X509Certificate) certificate)) {
                    return Optional.empty();
                }
            }
            // PKIX takes the anchor on trust; Go's x509.Verify also checks the root's dates and usages
            X509Certificate anchor = result.getTrustAnchor().getTrustedCert();
            anchor.checkValidity(Date.from(now));
            if (!allowsClientAuth(anchor)) {
                return Optional.empty();
            }
            return Optional.of(leaf);
        } catch (InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("PKIX parameters refused", e);
        } catch (GeneralSecurityException | RuntimeException e) {
            return Optional.empty(); // no path: another CA, expired, a wrong signature
        }
    }

    private static boolean allowsClientAuth(X509Certificate certificate) throws CertificateParsingException {
        List<String> usages = certificate.getExtendedKeyUsage();
        return usages == null || usages.contains(CLIENT_AUTH) || usages.contains(ANY_EXTENDED_KEY_USAGE);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClientCaBundle that && certificates.equals(that.certificates);
    }

    @Override
    public int hashCode() {
        return certificates.hashCode();
    }

    @Override
    public String toString() {
        return "ClientCaBundle" + certificates.stream().map(c -> c.getSubjectX500Principal().getName()).toList();
    }
}
