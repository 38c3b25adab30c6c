package io.externalmetrics.adapter.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.Https;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.adapter.testing.TestPki.Issued;
import io.externalmetrics.adapter.testing.TestPki.KeyFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.logging.Level;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter picking up rotated serving certificate files while it serves: what new connections
 * see, what open connections see, and what happens to a rotation that is broken or half written.
 */
class ServingCertificateReloadTest {

    private static final String WATCHER_LOGGER = ServingCertificateWatcher.class.getName();

    @TempDir
    Path dir;

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
    void rotatedFiles_newConnectionsGetTheNewCertificate_openConnectionAndItsRequestCarryOn() throws Exception {
        Issued first = TestPki.selfSignedServer(TestPki.ec());
        Issued second = TestPki.selfSignedServer(TestPki.rsa());
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        writePair(first, cert, key);

        try (TestAdapter adapter = startTrusting(first, cert, key);
             SSLSocket open = http11Socket(Https.trusting(TestPki.pem(first.certificate())), adapter.port())) {
            assertThat(servedCertificate(adapter.port())).isEqualTo(first.certificate());
            send(open, "GET /livez HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(readResponse(open)).isEqualTo("200 ok");
            // a request in flight across the rotation: its head is sent before, its end after
            send(open, "GET /livez HTTP/1.1\r\nHost: localhost\r\n");

            writePair(second, cert, key);
            adapter.checkServingCertificate(); // or the poll got there first: either way, it is served now

            assertThat(servedCertificate(adapter.port())).isEqualTo(second.certificate());
            send(open, "\r\n");
            assertThat(readResponse(open)).isEqualTo("200 ok");
            send(open, "GET /livez HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(readResponse(open)).isEqualTo("200 ok");
            assertThat(open.getSession().getPeerCertificates()[0]).isEqualTo(first.certificate());
        }
    }

    @Test
    void symlinkSwappedSecretVolume_isPickedUpByThePoll() throws Exception {
        // the layout kubelet gives a mounted Secret: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>,
        // and an update swaps ..data in one rename; the files themselves are never written
        Issued first = TestPki.selfSignedServer(TestPki.ec());
        Issued second = TestPki.selfSignedServer(TestPki.ec());
        Path data = dir.resolve("..data");
        Files.createSymbolicLink(data, version("..2026_11_30_01", first).getFileName());
        Path cert = Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data", "tls.crt"));
        Path key = Files.createSymbolicLink(dir.resolve("tls.key"), Path.of("..data", "tls.key"));

        try (TestAdapter adapter = startTrusting(first, cert, key)) {
            assertThat(servedCertificate(adapter.port())).isEqualTo(first.certificate());

            Path swap = Files.createSymbolicLink(dir.resolve("..data_tmp"),
                    version("..2026_11_30_02", second).getFileName());
            Files.move(swap, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

            Await.until("the new certificate served", Duration.ofSeconds(15),
                    () -> servedCertificate(adapter.port()).equals(second.certificate()));
        }
    }

    @Test
    void brokenCertificateFile_keepsServingTheOldOne_andIsLoggedOnce() throws Exception {
        Issued first = TestPki.selfSignedServer(TestPki.ec());
        Issued later = TestPki.selfSignedServer(TestPki.ec());
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        writePair(first, cert, key);

        try (TestAdapter adapter = startTrusting(first, cert, key);
             LogRecords logs = LogRecords.of(WATCHER_LOGGER)) {
            TestPki.replace(cert, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");

            assertThat(adapter.checkServingCertificate()).isFalse();
            assertThat(adapter.checkServingCertificate()).isFalse();

            assertThat(servedCertificate(adapter.port())).isEqualTo(first.certificate());
            assertThat(adapter.get("/livez").statusCode()).isEqualTo(200);
            assertThat(logs.atLeast(Level.WARNING)).singleElement().asString()
                    .contains("previous certificate is still served", cert.toString());

            // and the next good rotation is still picked up
            writePair(later, cert, key);
            adapter.checkServingCertificate();
            assertThat(servedCertificate(adapter.port())).isEqualTo(later.certificate());
            // the 2s poll may run between the key's write and the certificate's, and warn about that state too
            assertThat(logs.atLeast(Level.WARNING)).hasSizeBetween(1, 2);
        }
    }

    @Test
    void newCertificateWithTheOldKey_isNotAppliedUntilItsKeyArrives() throws Exception {
        Issued first = TestPki.selfSignedServer(TestPki.ec());
        Issued second = TestPki.selfSignedServer(TestPki.ec());
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        writePair(first, cert, key);

        try (TestAdapter adapter = startTrusting(first, cert, key);
             LogRecords logs = LogRecords.of(WATCHER_LOGGER)) {
            TestPki.replace(cert, TestPki.pem(second.certificate()));

            assertThat(adapter.checkServingCertificate()).isFalse();
            assertThat(adapter.checkServingCertificate()).isFalse();
            assertThat(servedCertificate(adapter.port())).isEqualTo(first.certificate());
            assertThat(logs.atLeast(Level.WARNING)).singleElement().asString()
                    .contains("does not belong to the first certificate", key.toString());

            TestPki.replace(key, TestPki.keyPem(second.keyPair().getPrivate(), KeyFormat.PKCS8));
            adapter.checkServingCertificate();

            assertThat(servedCertificate(adapter.port())).isEqualTo(second.certificate());
            assertThat(logs.atLeast(Level.WARNING)).hasSize(1);
        }
    }

    private static TestAdapter startTrusting(Issued served, Path cert, Path key) {
        return TestAdapter.start(ConfigLoader.parse(config(cert, key)), TestPki.pem(served.certificate()));
    }

    /** A directory {@code name} holding {@code issued} as tls.crt and tls.key. */
    private Path version(String name, Issued issued) throws IOException {
        Path version = Files.createDirectory(dir.resolve(name));
        writePair(issued, version.resolve("tls.crt"), version.resolve("tls.key"));
        return version;
    }

    /** The key first, then the certificate, each replaced in one step, as a careful rotation does. */
    private static void writePair(Issued issued, Path cert, Path key) throws IOException {
        TestPki.replace(key, TestPki.keyPem(issued.keyPair().getPrivate(), KeyFormat.TRADITIONAL));
        TestPki.replace(cert, TestPki.pem(issued.certificate()));
    }

    /** The certificate a new connection is served, over a fresh SSL context (so no session is resumed). */
    private static X509Certificate servedCertificate(int port) {
        try (SSLSocket socket = http11Socket(acceptingAnyCertificate(), port)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        } catch (IOException e) {
            throw new IllegalStateException("TLS handshake with 127.0.0.1:" + port + " failed", e);
        }
    }

    private static SSLSocket http11Socket(SSLContext context, int port) throws IOException {
        var socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port);
        socket.setSoTimeout(10_000);
        var parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(parameters);
        return socket;
    }

    /** Records nothing and checks nothing: the tests compare the served certificate themselves. */
    private static SSLContext acceptingAnyCertificate() {
        var acceptAny = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {acceptAny}, new SecureRandom());
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(SSLSocket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One HTTP/1.1 response with a Content-Length, read off a kept-alive connection: "status body". */
    private static String readResponse(SSLSocket socket) throws IOException {
        InputStream in = socket.getInputStream();
        var head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
        int length = -1;
        for (String line : lines) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).strip());
            }
        }
        if (length < 0) {
            throw new IOException("no Content-Length in " + String.join(" | ", lines));
        }
        String body = new String(in.readNBytes(length), StandardCharsets.US_ASCII);
        return lines[0].substring(9, 12) + " " + body;
    }
}
