package io.externalmetrics.bench;

import io.externalmetrics.adapter.security.ServingCertificates;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http2.Http2Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The limit of {@code bench/run}: a plain Helidon SE server with the adapter's listener settings
 * (TLS 1.3/1.2 with the same cipher suites, HTTP/1.1 and HTTP/2, TCP_NODELAY) answering every
 * {@code GET} of a namespaced external metric with one constant byte array, the bytes the adapter
 * answered for the same read. No routing filters, no authentication, no cache lookup, no encoding.
 */
public final class LimitServer {

    static final Set<String> OPTIONS = Set.of("port", "body", "keystore", "password");
    static final String USAGE = "usage: java -cp externalmetrics-bench-*-all.jar io.externalmetrics.bench.LimitServer"
            + " --body FILE --keystore FILE.p12 --password PASSWORD [--port N]";
    static final String PATH = "/apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/{metric}";
    private LimitServer() {
    }

    /**
     * Serves until SIGTERM on 127.0.0.1; prints the port.
     *
     * @param args see {@link #USAGE}
     * @throws Exception if the body or the keystore cannot be read
     */
    public static void main(String[] args) throws Exception {
        Args parsed;
        try {
            parsed = Args.parse(OPTIONS, args);
            if (!parsed.values().keySet().containsAll(Set.of("body", "keystore", "password"))) {
                throw new IllegalArgumentException("--body, --keystore and --password are required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        byte[] body = Files.readAllBytes(Path.of(parsed.string("body", "")));
        Tls tls = tls(Path.of(parsed.string("keystore", "")), parsed.string("password", "").toCharArray());
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(parsed.integer("port", 0, 0))
                .tls(tls)
                .connectionOptions(options -> options.tcpNoDelay(true))
                .addProtocol(Http1Config.builder().build())
                .addProtocol(Http2Config.builder().build())
                .routing(routing -> routing.get(PATH, (request, response) -> {
                    response.header(HeaderNames.CONTENT_TYPE, "application/json");
                    response.send(body);
                }))
                .build()
                .start();
        System.out.printf("limit server listening on 127.0.0.1:%d (%d constant bytes)%n", server.port(), body.length);
    }

    private static Tls tls(Path keystore, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password);
        }
        String alias = store.aliases().nextElement();
        var key = (PrivateKey) store.getKey(alias, password);
        List<X509Certificate> chain = Arrays.stream(store.getCertificateChain(alias))
                .map(X509Certificate.class::cast)
                .toList();
        return Tls.builder()
                .privateKey(key)
                .privateKeyCertChain(chain)
                .enabledProtocols(ServingCertificates.TLS_PROTOCOLS) // the adapter's own
                .enabledCipherSuites(ServingCertificates.CIPHER_SUITES)
                .build();
    }
}
