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

    /**
     * A GET over HTTP/1.1 on a raw TLS socket, for request targets {@link java.net.URI} refuses
     * (such as malformed escapes, which Kubernetes clients can still send).
     *
     * @return the status code and the body
     */
    public static RawResponse rawGet(String certificatePem, int port, String target) {
        try (var socket = (javax.net.ssl.SSLSocket) trusting(certificatePem).getSocketFactory()
                .createSocket("localhost", port)) {
            socket.setSoTimeout(10_000);
            var params = socket.getSSLParameters();
            params.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(params);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost:" + port
                    + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            int bodyStart = response.indexOf("\r\n\r\n");
            return new RawResponse(status, bodyStart < 0 ? "" : response.substring(bodyStart + 4));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("GET " + target + " failed", e);
        }
    }

    /**
     * What {@link #rawGet} read.
     *
     * @param status the HTTP status code
     * @param body   the body (not de-chunked: expect a single short chunk at most)
     */
    public record RawResponse(int status, String body) {
    }

    public static HttpResponse<String> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
        }
    }
}
