package io.externalmetrics.adapter.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.Adapter;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestPki;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter serving the certificate and key files its configuration names. */
class AdapterTlsFilesTest {

    private static String config(Path cert, Path key) {
        return """
                server:
                  address: 127.0.0.1
                  port: 0
                  tls: {certFile: '%s', keyFile: '%s'}
                providers: [{name: p, target: '127.0.0.1:1'}]
                """.formatted(cert, key);
    }

    @Test
    void start_withCertificateFiles_servesThatCertificate(@TempDir Path dir) {
        TestPki.Issued issued = TestPki.selfSignedServer(TestPki.ec());
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(issued.certificate()));
        Path key = TestPki.write(dir, "tls.key",
                TestPki.keyPem(issued.keyPair().getPrivate(), TestPki.KeyFormat.TRADITIONAL));

        try (TestAdapter adapter = TestAdapter.start(ConfigLoader.parse(config(cert, key)),
                TestPki.pem(issued.certificate()))) {
            assertThat(adapter.selfSignedCertificatePem()).isEmpty();

            var response = adapter.get(HttpClient.Version.HTTP_2, "/apis");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
    }

    @Test
    void start_withMissingKeyFile_failsNamingTheFile(@TempDir Path dir) {
        TestPki.Issued issued = TestPki.selfSignedServer(TestPki.ec());
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(issued.certificate()));
        Path key = dir.resolve("missing.key");

        assertThatThrownBy(() -> Adapter.start(ConfigLoader.parse(config(cert, key)), Clock.systemUTC()))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining(key.toString());
    }
}
