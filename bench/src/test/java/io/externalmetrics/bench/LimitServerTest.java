package io.externalmetrics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.security.ServingCertificates;
import org.junit.jupiter.api.Test;

class LimitServerTest {

    @Test
    void theLimit_servesTheAdaptersTlsVersionsAndCipherSuites() {
        // a limit with other TLS settings would measure something else than the adapter's ceiling
        assertThat(LimitServer.TLS_PROTOCOLS).isEqualTo(ServingCertificates.TLS_PROTOCOLS);
        assertThat(LimitServer.CIPHER_SUITES).isEqualTo(ServingCertificates.CIPHER_SUITES);
    }
}
