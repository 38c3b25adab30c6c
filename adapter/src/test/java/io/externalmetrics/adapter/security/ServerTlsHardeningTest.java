package io.externalmetrics.adapter.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.testing.Https;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.adapter.testing.TestPki.Issued;
import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import java.io.File;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.Test;

/**
 * What a TLS client meets at the listener: TLS 1.2 and 1.3 with modern cipher suites only, and, when
 * client certificates are asked for, an optional request naming the CAs current at each handshake,
 * with any chain let through to the request for the authenticators to judge.
 */
class ServerTlsHardeningTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void tls12_withAnAeadSuite_isServed_withACbcSuite_isRefused() throws Exception {
        var selfSigned = ServingCertificates.selfSigned(List.of(), Clock.systemUTC());
        WebServer server = start(selfSigned.tls());
        try {
            String pem = selfSigned.certificatePem();

            HttpResponse<String> gcm = get(client(Https.trusting(pem), "TLSv1.2",
                    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), server);
            assertThat(gcm.body()).isEqualTo("pong: no certificate");
            assertThat(gcm.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.2");

            for (String weak : List.of("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
                    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA")) {
                assertThatThrownBy(() -> get(client(Https.trusting(pem), "TLSv1.2", weak), server))
                        .as(weak)
                        .isInstanceOf(SSLHandshakeException.class);
            }
        } finally {
            server.stop();
        }
    }

    @Test
    void theRunningAdapter_servesTls12OnlyWithAeadSuites() throws Exception {
        try (TestAdapter adapter = TestAdapter.start(ConfigLoader.parse("""
                server: {address: 127.0.0.1, port: 0}
                providers: [{name: unreached, target: "127.0.0.1:1"}]
                """))) {
            String pem = adapter.certificatePem();
            URI livez = URI.create(adapter.url("/livez"));

            try (HttpClient gcm = client(Https.trusting(pem), "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")) {
                assertThat(gcm.send(HttpRequest.newBuilder(livez).timeout(TIMEOUT).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("ok");
            }
            try (HttpClient cbc = client(Https.trusting(pem), "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256")) {
                assertThatThrownBy(() -> cbc.send(HttpRequest.newBuilder(livez).timeout(TIMEOUT).build(),
                        HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
            }
        }
    }

    @Test
    void tls11_isRefused_tls12_isServed_toOpenssl() throws Exception {
        var selfSigned = ServingCertificates.selfSigned(List.of(), Clock.systemUTC());
        WebServer server = start(selfSigned.tls());
        try {
            // openssl, not the JDK, as the client: the JDK will not even offer TLS 1.1
            String tls11 = openssl(server.port(), "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
            String tls12 = openssl(server.port(), "-tls1_2");

            assertThat(tls11).contains("alert protocol version", "Cipher is (NONE)");
            assertThat(tls12).containsPattern("Protocol *: TLSv1.2").containsPattern("Cipher is ECDHE-\\S+-GCM-");
        } finally {
            server.stop();
        }
    }

    @Test
    void requestedClientCertificates_areOptional_anyChainConnects_andTheCurrentCasAreNamed() throws Exception {
        Issued caA = TestPki.ca("ca-a");
        Issued caB = TestPki.ca("ca-b");
        var named = new AtomicReference<List<X509Certificate>>(List.of(caA.certificate()));
        var selfSigned = ServingCertificates.selfSigned(List.of(), Clock.systemUTC(),
                ClientCertificates.optional(named::get));
        assertThat(selfSigned.tls().sslParameters().getWantClientAuth()).isTrue();
        assertThat(selfSigned.tls().sslParameters().getNeedClientAuth()).isFalse();
        WebServer server = start(selfSigned.tls());
        try {
            String pem = selfSigned.certificatePem();
            // no certificate: still served
            assertThat(get(client(Https.trusting(pem), null), server).body()).isEqualTo("pong: no certificate");

            // a certificate from a CA nobody named still completes the handshake and reaches the request
            Issued stranger = TestPki.ca("stranger").issueClient("CN=stranger");
            var seen = new CopyOnWriteArrayList<String>();
            assertThat(get(client(recording(pem, stranger, seen), null), server).body())
                    .isEqualTo("pong: CN=stranger");
            assertThat(seen).containsExactly("CN=ca-a");

            // the CAs named follow the bundle without a TLS reload
            named.set(List.of(caB.certificate(), caA.certificate()));
            seen.clear();
            assertThat(get(client(recording(pem, caB.issueClient("CN=bob"), seen), null), server).body())
                    .isEqualTo("pong: CN=bob");
            assertThat(seen).containsExactly("CN=ca-b", "CN=ca-a");
        } finally {
            server.stop();
        }
    }

    @Test
    void serverTls_hasModernSuitesOnly() {
        Tls tls = ServingCertificates.selfSigned(List.of(), Clock.systemUTC()).tls();

        assertThat(tls.sslParameters().getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(tls.sslParameters().getCipherSuites())
                .containsExactlyElementsOf(ServingCertificates.CIPHER_SUITES)
                .allMatch(suite -> suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")
                        || suite.startsWith("TLS_ECDHE_") && (suite.contains("_GCM_") || suite.contains("CHACHA20")));
    }

    private static String openssl(int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + port));
        command.addAll(Arrays.asList(options));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("openssl s_client did not finish");
        }
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static WebServer start(Tls tls) {
        return WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .tls(tls)
                .routing(routing -> routing.get("/ping", (request, response) -> {
                    Certificate[] chain = request.remotePeer().tlsCertificates().orElse(new Certificate[0]);
                    response.send(chain.length == 0 ? "pong: no certificate"
                            : "pong: " + ((X509Certificate) chain[0]).getSubjectX500Principal().getName());
                }))
                .build()
                .start();
    }

    private static HttpClient client(SSLContext context, String protocol, String cipherSuite) {
        var parameters = new SSLParameters();
        parameters.setProtocols(new String[] {protocol});
        parameters.setCipherSuites(new String[] {cipherSuite});
        return client(context, parameters);
    }

    private static HttpClient client(SSLContext context, SSLParameters parameters) {
        HttpClient.Builder builder = HttpClient.newBuilder().sslContext(context).connectTimeout(TIMEOUT);
        if (parameters != null) {
            builder.sslParameters(parameters);
        }
        return builder.build();
    }

    private static HttpResponse<String> get(HttpClient client, WebServer server) throws Exception {
        try (client) {
            return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/ping"))
                    .timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** A client presenting {@code identity} that records the CA names of the server's certificate request. */
    private static SSLContext recording(String trustedPem, Issued identity, List<String> seen) throws Exception {
        var keyManager = new X509ExtendedKeyManager() {
            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                if (issuers != null) {
                    Arrays.stream(issuers).map(Principal::getName).forEach(seen::add);
                }
                return "client";
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return chooseEngineClientAlias(keyType, issuers, null);
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return new X509Certificate[] {identity.certificate()};
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return identity.keyPair().getPrivate();
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {"client"};
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return new String[0];
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {keyManager}, Https.trustManagers(trustedPem), null);
        return context;
    }
}
