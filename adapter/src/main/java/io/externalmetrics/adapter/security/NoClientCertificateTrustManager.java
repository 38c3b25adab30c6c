package io.externalmetrics.adapter.security;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * The server's trust manager when no client certificate is requested ({@code TlsClientAuth.NONE}): the
 * handshake never asks it, and it would refuse any chain. It stands in for the JDK's default, which
 * reads the default trust store when the server's TLS is set up, for nothing.
 */
final class NoClientCertificateTrustManager extends ServerTrustManager {

    private static final String NONE_ASKED = "this server asks for no client certificate and trusts none";

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException(NONE_ASKED);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
