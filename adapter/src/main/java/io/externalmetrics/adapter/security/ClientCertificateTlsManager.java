package io.externalmetrics.adapter.security;

import io.helidon.common.tls.ConfiguredTlsManager;
import io.helidon.common.tls.TlsConfig;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * Helidon's own TLS manager (key material from the configuration, reloadable by
 * {@code WebServer.reloadTls}) with our trust manager in place of one built from a trust store:
 * Helidon only builds PKIX trust managers, which would refuse a certificate from another CA at the
 * handshake instead of letting the request go on unauthenticated.
 */
final class ClientCertificateTlsManager extends ConfiguredTlsManager {

    private final AnyClientCertificateTrustManager trustManager;

    ClientCertificateTlsManager(AnyClientCertificateTrustManager trustManager) {
        super("externalmetrics-client-certificates", "externalmetrics");
        this.trustManager = trustManager;
    }

    @Override
    protected void initSslContext(TlsConfig tlsConfig, SecureRandom secureRandom, KeyManager[] keyManagers,
                                  TrustManager[] trustManagers) {
        super.initSslContext(tlsConfig, secureRandom, keyManagers, new TrustManager[] {trustManager});
    }
}
