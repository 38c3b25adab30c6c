package io.externalmetrics.adapter.security;

import io.helidon.common.tls.ConfiguredTlsManager;
import io.helidon.common.tls.TlsConfig;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Helidon's own TLS manager (key material from the configuration, reloadable by
 * {@code WebServer.reloadTls}) with our trust manager in place of one built from a trust store.
 * With client certificates requested, {@link AnyClientCertificateTrustManager}: Helidon only builds
 * PKIX trust managers, which would refuse a certificate from another CA at the handshake instead of
 * letting the request go on unauthenticated. Without, {@link NoClientCertificateTrustManager}: given
 * none, the JDK would read its default trust store (some 150 CA certificates) at every start, for a
 * server that asks for no certificate to check.
 */
final class ServerTlsManager extends ConfiguredTlsManager {

    private final X509ExtendedTrustManager trustManager;

    ServerTlsManager(X509ExtendedTrustManager trustManager) {
        super("externalmetrics-server", "externalmetrics");
        this.trustManager = trustManager;
    }

    @Override
    protected void initSslContext(TlsConfig tlsConfig, SecureRandom secureRandom, KeyManager[] keyManagers,
                                  TrustManager[] trustManagers) {
        super.initSslContext(tlsConfig, secureRandom, keyManagers, new TrustManager[] {trustManager});
    }
}
