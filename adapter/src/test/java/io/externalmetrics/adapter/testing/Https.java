package io.externalmetrics.adapter.testing;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** HTTPS clients that trust exactly one certificate: the adapter's. */
public final class Https {

    private Https() {
    }

    /** An SSL context trusting only {@code certificatePem}. */
    public static SSLContext trusting(String certificatePem) {
        try {
            var certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("adapter", certificate);
            var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust the adapter's certificate", e);
        }
    }

    /** A client of the given HTTP version trusting {@code certificatePem}, hostname verification on. */
    public static HttpClient client(String certificatePem, HttpClient.Version version) {
        return HttpClient.newBuilder()
                .sslContext(trusting(certificatePem))
                .version(version)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** GET with the Accept header the HPA controller sends. */
    public static HttpResponse<String> get(HttpClient client, String url) {
        return send(client, HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "application/vnd.kubernetes.protobuf, */*")
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build());
    }

    public static HttpResponse<String> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
        }
    }
}
