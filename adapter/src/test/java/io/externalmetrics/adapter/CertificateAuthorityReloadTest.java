package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.security.CaBundleFile;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.Https;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.adapter.testing.TestPki.Issued;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.logging.Level;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front proxy's CA and the client CA rotated while the adapter serves: new connections with a
 * certificate from the new CA are authenticated without a restart, a broken file keeps the old CA,
 * and a rotated serving certificate still asks for client certificates.
 */
class CertificateAuthorityReloadTest {

    private static final String PATH = "/apis/external.metrics.k8s.io/v1beta1";

    @TempDir
    Path dir;

    private final Issued servingCa = TestPki.ca("serving-ca");
    private final Issued caA = TestPki.ca("front-proxy-ca-a");
    private final Issued caB = TestPki.ca("front-proxy-ca-b");
    private final Issued proxyA = caA.issueClient("CN=front-proxy-client", KeyPurposeId.id_kp_clientAuth);
    private final Issued proxyB = caB.issueClient("CN=front-proxy-client", KeyPurposeId.id_kp_clientAuth);
    private final Issued clientA = caA.issueClient("CN=bob,O=ops");
    private final Issued clientB = caB.issueClient("CN=bob,O=ops");

    private TestAdapter start(Path proxyCa, Path clientCa, Path cert, Path key) {
        return TestAdapter.start(ConfigLoader.parse("""
                server: {address: 127.0.0.1, port: 0, tls: {certFile: '%s', keyFile: '%s'}}
                providers: [{name: p, target: '127.0.0.1:1'}]
                authentication:
                  requestHeader: {clientCAFile: '%s', allowedNames: [front-proxy-client]}
                  clientCAFile: '%s'
                authorization: {mode: AlwaysAllow}
                """.formatted(cert, key, proxyCa, clientCa)), TestPki.pem(servingCa.certificate()));
    }

    @Test
    void rotatedProxyCa_isUsedByNewConnections_andABrokenFileKeepsTheCurrentOne() {
        Path proxyCa = caA.writeCertificate(dir.resolve("proxy-ca.crt"));
        // another CA: the proxy's certificate must not authenticate as an ordinary client here
        Path clientCa = TestPki.ca("client-ca").writeCertificate(dir.resolve("client-ca.crt"));
        Issued serving = servingCa.issue("adapter", "localhost");
        try (TestAdapter adapter = start(proxyCa, clientCa, serving.writeCertificate(dir.resolve("tls.crt")),
                serving.writeKey(dir.resolve("tls.key")));
             LogRecords log = LogRecords.of(CaBundleFile.class.getName())) {
            assertThat(asProxy(adapter, proxyA).statusCode()).isEqualTo(200);
            assertThat(asProxy(adapter, proxyB).statusCode()).isEqualTo(401);

            caB.writeCertificate(proxyCa);
            // picked up by the adapter's own poll, nothing called
            Await.until("a proxy certificate from the new CA to be accepted", Duration.ofSeconds(20),
                    () -> asProxy(adapter, proxyB).statusCode() == 200);
            assertThat(asProxy(adapter, proxyA).statusCode()).isEqualTo(401);

            TestPki.replace(proxyCa, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            assertThat(adapter.checkCertificateAuthorities()).isFalse();
            assertThat(adapter.checkCertificateAuthorities()).isFalse();
            assertThat(asProxy(adapter, proxyB).statusCode()).isEqualTo(200);
            assertThat(log.atLeast(Level.WARNING)).singleElement().asString()
                    .contains("request-header CA change not applied", proxyCa.toString());
        }
    }

    @Test
    void rotatedClientCa_isUsedByNewConnections() {
        Path proxyCa = TestPki.ca("front-proxy-ca").writeCertificate(dir.resolve("proxy-ca.crt"));
        Path clientCa = caA.writeCertificate(dir.resolve("client-ca.crt"));
        Issued serving = servingCa.issue("adapter", "localhost");
        try (TestAdapter adapter = start(proxyCa, clientCa, serving.writeCertificate(dir.resolve("tls.crt")),
                serving.writeKey(dir.resolve("tls.key")))) {
            assertThat(get(adapter, clientA).statusCode()).isEqualTo(200);
            assertThat(get(adapter, clientB).statusCode()).isEqualTo(401);

            caB.writeCertificate(clientCa);

            adapter.checkCertificateAuthorities(); // the 2s poll may have applied it already: check the effect
            assertThat(get(adapter, clientB).statusCode()).isEqualTo(200);
            assertThat(get(adapter, clientA).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void rotatedServingCertificate_stillAsksForClientCertificates() throws Exception {
        Path proxyCa = caA.writeCertificate(dir.resolve("proxy-ca.crt"));
        Path clientCa = caB.writeCertificate(dir.resolve("client-ca.crt"));
        Issued first = servingCa.issue("adapter-1", "localhost");
        Issued second = servingCa.issue("adapter-2", "localhost");
        Path cert = first.writeCertificate(dir.resolve("tls.crt"));
        Path key = first.writeKey(dir.resolve("tls.key"));
        try (TestAdapter adapter = start(proxyCa, clientCa, cert, key)) {
            second.writeKey(key);
            second.writeCertificate(cert);
            adapter.checkServingCertificate(); // the 2s poll may have applied it already: check the effect

            HttpResponse<String> response = asProxy(adapter, proxyA);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            Certificate served = response.sslSession().orElseThrow().getPeerCertificates()[0];
            assertThat(served).isEqualTo(second.certificate());
        }
    }

    /** A new connection (a new client) presenting {@code identity}, sending the proxy's identity headers. */
    private static HttpResponse<String> asProxy(TestAdapter adapter, Issued identity) {
        try (HttpClient client = client(adapter, identity)) {
            return Https.get(client, adapter.url(PATH), "X-Remote-User", "alice");
        }
    }

    private static HttpResponse<String> get(TestAdapter adapter, Issued identity) {
        try (HttpClient client = client(adapter, identity)) {
            return Https.get(client, adapter.url(PATH));
        }
    }

    private static HttpClient client(TestAdapter adapter, Issued identity) {
        return Https.client(Https.presenting(adapter.certificatePem(), identity), HttpClient.Version.HTTP_2);
    }
}
