package io.externalmetrics.adapter.security;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;

/**
 * The server's trust manager when client certificates are requested: any chain completes the
 * handshake (which still proves the client holds the leaf's key); whether the chain means anything
 * is decided per request by the authenticators, against the CA bundles current then. Like Go's
 * {@code tls.RequestClientCert}, which k8s.io/apiserver serves with.
 */
final class AnyClientCertificateTrustManager extends ServerTrustManager {

    private final Supplier<List<X509Certificate>> acceptedIssuers;

    AnyClientCertificateTrustManager(Supplier<List<X509Certificate>> acceptedIssuers) {
        this.acceptedIssuers = acceptedIssuers;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("empty client certificate chain");
        }
    }

    /** The CAs named in the certificate request: read at each handshake, so they follow rotations. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return acceptedIssuers.get().toArray(X509Certificate[]::new);
    }
}
