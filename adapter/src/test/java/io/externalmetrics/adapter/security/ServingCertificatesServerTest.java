package io.externalmetrics.adapter.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.testing.Https;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.adapter.testing.TestPki.Issued;
import io.externalmetrics.adapter.testing.TestPki.KeyFormat;
import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real HTTPS against a Helidon webserver: HTTP/2 negotiated by ALPN and HTTP/1.1, with a client
 * that trusts exactly the server's certificate and verifies the host name.
 */
class ServingCertificatesServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void selfSignedServesHttp2AndHttp11() throws Exception {
        ServingCertificates.SelfSigned selfSigned = ServingCertificates.selfSigned(List.of(), Clock.systemUTC());
        WebServer server = start(selfSigned.tls());
        try {
            SSLContext trustingIt = trusting(selfSigned.certificate());

            HttpResponse<String> h2 = get(client(trustingIt, HttpClient.Version.HTTP_2, null), server, "localhost");
            assertThat(h2.statusCode()).isEqualTo(200);
            assertThat(h2.body()).isEqualTo("pong");
            assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);

            HttpResponse<String> h1 = get(client(trustingIt, HttpClient.Version.HTTP_1_1, null), server, "localhost");
            assertThat(h1.statusCode()).isEqualTo(200);
            assertThat(h1.body()).isEqualTo("pong");
            assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);

            // the IP SAN: hostname verification against 127.0.0.1
            HttpResponse<String> byIp = get(client(trustingIt, HttpClient.Version.HTTP_2, null), server, "127.0.0.1");
            assertThat(byIp.body()).isEqualTo("pong");
            assertThat(byIp.version()).isEqualTo(HttpClient.Version.HTTP_2);
        } finally {
            server.stop();
        }
    }

    @Test
    void selfSignedServesHttp2OverTls12AndTls13() throws Exception {
        ServingCertificates.SelfSigned selfSigned = ServingCertificates.selfSigned(List.of(), Clock.systemUTC());
        WebServer server = start(selfSigned.tls());
        try {
            SSLContext trustingIt = trusting(selfSigned.certificate());
            for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
                SSLParameters only = new SSLParameters();
                only.setProtocols(new String[] {protocol});
                HttpResponse<String> response =
                        get(client(trustingIt, HttpClient.Version.HTTP_2, only), server, "localhost");
                assertThat(response.body()).as(protocol).isEqualTo("pong");
                assertThat(response.version()).as(protocol).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(response.sslSession()).hasValueSatisfying(
                        session -> assertThat(session.getProtocol()).isEqualTo(protocol));
            }
        } finally {
            server.stop();
        }
    }

    @Test
    void rsaKeyFromPkcs1FileServesHttp2() throws Exception {
        Issued issued = TestPki.selfSignedServer(TestPki.rsa());
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(issued.certificate()));
        Path key = TestPki.write(dir, "tls.key", TestPki.keyPem(issued.keyPair().getPrivate(), KeyFormat.TRADITIONAL));
        WebServer server = start(ServingCertificates.fromFiles(cert, key));
        try {
            HttpResponse<String> h2 = get(client(trusting(issued.certificate()), HttpClient.Version.HTTP_2, null),
                                          server, "localhost");
            assertThat(h2.body()).isEqualTo("pong");
            assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
        } finally {
            server.stop();
        }
    }

    @Test
    void clientsThatDoNotTrustTheCertificateOrSeeAnotherNameAreRefused() throws Exception {
        // proves the tests above really verify the certificate and the host name
        Issued elsewhere = TestPki.certificate("elsewhere", TestPki.ec(), null, false, "elsewhere.example");
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(elsewhere.certificate()));
        Path key = TestPki.write(dir, "tls.key", TestPki.keyPem(elsewhere.keyPair().getPrivate(), KeyFormat.PKCS8));
        WebServer server = start(ServingCertificates.fromFiles(cert, key));
        try {
            HttpClient wrongName = client(trusting(elsewhere.certificate()), HttpClient.Version.HTTP_2, null);
            assertThatThrownBy(() -> get(wrongName, server, "localhost"))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("No subject alternative DNS name matching localhost");

            HttpClient defaultTrust = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
            assertThatThrownBy(() -> get(defaultTrust, server, "localhost"))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("unable to find valid certification path");
        } finally {
            server.stop();
        }
    }

    private static WebServer start(Tls tls) {
        return WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .tls(tls)
                .connectionOptions(options -> options.tcpNoDelay(true))
                .routing(routing -> routing.get("/ping", (request, response) -> response.send("pong")))
                .build()
                .start();
    }

    private static SSLContext trusting(X509Certificate certificate) {
        return Https.trusting(TestPki.pem(certificate));
    }

    private static HttpClient client(SSLContext sslContext, HttpClient.Version version, SSLParameters parameters) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .sslContext(sslContext)
                .version(version)
                .connectTimeout(TIMEOUT);
        if (parameters != null) {
            builder.sslParameters(parameters);
        }
        return builder.build();
    }

    private static HttpResponse<String> get(HttpClient client, WebServer server, String host) throws Exception {
        try (client) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + host + ":" + server.port() + "/ping"))
                    .timeout(TIMEOUT)
                    .GET()
                    .build();
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }
}
