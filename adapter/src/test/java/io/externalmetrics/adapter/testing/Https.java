package io.externalmetrics.adapter.testing;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * HTTPS clients that trust exactly one certificate, the adapter's, and may present a client
 * certificate of their own.
 */
public final class Https {

    private Https() {
    }

    /** An SSL context trusting only {@code certificatePem}. */
    public static SSLContext trusting(String certificatePem) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers(certificatePem), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust the adapter's certificate", e);
        }
    }

    /** Trust managers trusting only {@code certificatePem}. */
    public static TrustManager[] trustManagers(String certificatePem) throws Exception {
        var certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("adapter", certificate);
        var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        return factory.getTrustManagers();
    }

    /**
     * An SSL context trusting only {@code certificatePem} that presents {@code chain} (leaf first) with
     * {@code key} whenever the server asks, whichever CAs it names: so that a certificate from a CA the
     * server does not name still reaches it (the JDK's own key managers would withhold it).
     */
    public static SSLContext presenting(String certificatePem, PrivateKey key, List<X509Certificate> chain) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new AlwaysPresenting(key, chain.toArray(X509Certificate[]::new))},
                    trustManagers(certificatePem), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up a client certificate", e);
        }
    }

    /** {@link #presenting(String, PrivateKey, List)} for a test certificate and the chain above it. */
    public static SSLContext presenting(String certificatePem, TestPki.Issued identity,
                                        X509Certificate... intermediates) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(identity.certificate());
        chain.addAll(List.of(intermediates));
        return presenting(certificatePem, identity.keyPair().getPrivate(), chain);
    }

    /** A client of the given HTTP version on {@code context}, hostname verification on. */
    public static HttpClient client(SSLContext context, HttpClient.Version version) {
        return HttpClient.newBuilder()
                .sslContext(context)
                .version(version)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** GET with the HPA's Accept header and {@code headers}: names and values, alternating. */
    public static HttpResponse<String> get(HttpClient client, String url, String... headers) {
        var request = HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "application/vnd.kubernetes.protobuf, */*")
                .timeout(Duration.ofSeconds(10))
                .GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(client, request.build());
    }

    /** A key manager that always offers its one certificate. */
    private static final class AlwaysPresenting extends X509ExtendedKeyManager {

        private static final String ALIAS = "client";
        private final PrivateKey key;
        private final X509Certificate[] chain;

        AlwaysPresenting(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[0];
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return chain.clone();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return key;
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
