package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.cache.MetricCache;
import io.externalmetrics.adapter.cache.ReadResult;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.Closer;
import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import io.grpc.Server;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Providers over TLS and mutual TLS, on real Netty on 127.0.0.1: providers served by the SDK's
 * {@link MetricProviderServer}, read through a running adapter or its provider manager.
 */
class ProviderTlsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final Closer closer = new Closer();

    @TempDir
    Path dir;

    private final TestPki.Issued serverCa = TestPki.ca("provider CA");
    private final TestPki.Issued clientCa = TestPki.ca("adapter client CA");

    /** A provider serving m = 42 over TLS as {@code server}, requiring client certificates of {@code clientCaFile}. */
    private MetricProviderServer provider(TestPki.Issued server, Optional<Path> clientCaFile) {
        return provider(server, clientCaFile, 0, 42);
    }

    private MetricProviderServer provider(TestPki.Issued server, Optional<Path> clientCaFile, int port, double value) {
        var builder = MetricProviderServer.builder()
                .port(port)
                .tls(server.writeCertificate(dir.resolve("server.crt")), server.writeKey(dir.resolve("server.key")))
                .addMetric(Namespace.ALL, "m", Trigger.every(Duration.ofMillis(200)), request -> Value.of(value));
        clientCaFile.ifPresent(builder::requireClientCertificates);
        return closer.register(builder.build().start());
    }

    private Path file(String name) {
        return dir.resolve(name);
    }

    private static String quoted(Path file) {
        return "'" + file + "'";
    }

    @Test
    void tls_providerCertificateSignedByCaFile_valuesAreServed() {
        Path caFile = serverCa.writeCertificate(file("ca.crt"));
        MetricProviderServer provider = provider(serverCa.issue("provider", "127.0.0.1"), Optional.empty());

        TestAdapter adapter = closer.register(TestAdapter.withProviders("""
                  - name: p
                    target: 127.0.0.1:%d
                    tls: {caFile: %s}
                """.formatted(provider.port(), quoted(caFile))));

        Await.until("m served over TLS", WAIT, () -> adapter.served("m").equals("42"));
    }

    @Test
    void mutualTls_providerRequiresClientCertificate_adapterPresentsItsCertFile() {
        Path caFile = serverCa.writeCertificate(file("ca.crt"));
        Path clientCaFile = clientCa.writeCertificate(file("client-ca.crt"));
        TestPki.Issued client = clientCa.issue("externalmetrics-adapter");
        MetricProviderServer provider = provider(serverCa.issue("provider", "127.0.0.1"), Optional.of(clientCaFile));

        TestAdapter adapter = closer.register(TestAdapter.withProviders("""
                  - name: p
                    target: 127.0.0.1:%d
                    tls: {caFile: %s, certFile: %s, keyFile: %s}
                """.formatted(provider.port(), quoted(caFile), quoted(client.writeCertificate(file("client.crt"))),
                quoted(client.writeKey(file("client.key"))))));

        Await.until("m served over mutual TLS", WAIT, () -> adapter.served("m").equals("42"));
    }

    @Test
    void tls_providerCertificateNotSignedByCaFile_503NamesTheTlsFailure() {
        Path otherCaFile = TestPki.ca("another CA").writeCertificate(file("other-ca.crt"));
        MetricProviderServer provider = provider(serverCa.issue("provider", "127.0.0.1"), Optional.empty());

        TestAdapter adapter = closer.register(TestAdapter.withProviders("""
                  - name: p
                    target: 127.0.0.1:%d
                    deadline: 5s
                    metrics: [{name: m, interval: 10s}]
                    tls: {caFile: %s}
                """.formatted(provider.port(), quoted(otherCaFile))));

        // a deadline far above a handshake's time, so that a loaded machine still sees the handshake fail
        Await.until("a 503 naming the TLS failure", WAIT, () -> adapter.served("m").contains("TLS handshake"));
        assertThat(adapter.served("m")).startsWith("503 ").contains("TLS handshake failed")
                .contains("certification path");
    }

    @Test
    void tls_toAUnixSocket_withServerName_valuesAreServed() throws Exception {
        Path caFile = serverCa.writeCertificate(file("ca.crt"));
        TestPki.Issued server = serverCa.issue("provider", "provider.local");
        MetricProviderServer metrics = closer.register(MetricProviderServer.builder()
                .addMetric(Namespace.ALL, "m", Trigger.every(Duration.ofMillis(200)), request -> Value.of(42))
                .build());
        Path socket = file("provider.sock");
        var loop = new EpollEventLoopGroup(1);
        closer.register(() -> loop.shutdownGracefully().syncUninterruptibly());
        Server provider = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()),
                        TlsServerCredentials.create(server.writeCertificate(file("server.crt")).toFile(),
                                server.writeKey(file("server.key")).toFile()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(loop)
                .workerEventLoopGroup(loop)
                .addService(metrics.bindableService())
                .build()
                .start();
        closer.register(provider::shutdownNow);

        // the configuration requires serverName here: gRPC would check the certificate against the socket's path
        TestAdapter adapter = closer.register(TestAdapter.withProviders("""
                  - name: p
                    target: unix://%s
                    tls: {caFile: %s, serverName: provider.local}
                """.formatted(socket, quoted(caFile))));

        Await.until("m served over TLS on a unix socket", WAIT, () -> adapter.served("m").equals("42"));
    }

    @Test
    void serverName_certificateIssuedToAnotherName_isAcceptedUnderThatName_andOnlyThen() {
        Path caFile = serverCa.writeCertificate(file("ca.crt"));
        MetricProviderServer provider = provider(serverCa.issue("provider", "metrics.example.internal"),
                Optional.empty());

        TestAdapter adapter = closer.register(TestAdapter.withProviders("""
                  - name: named
                    target: 127.0.0.1:%1$d
                    tls: {caFile: %2$s, serverName: metrics.example.internal}
                  - name: unnamed
                    target: 127.0.0.1:%1$d
                    deadline: 5s
                    metrics: [{name: other, interval: 10s}]
                    tls: {caFile: %2$s}
                """.formatted(provider.port(), quoted(caFile))));

        Await.until("m served by the provider reached as metrics.example.internal", WAIT,
                () -> adapter.served("m").equals("42"));
        // waits for the handshake's failure itself: a short deadline could expire first on a loaded machine
        Await.until("the certificate refused under the target's own name", WAIT,
                () -> adapter.served("other").contains("TLS handshake"));
        assertThat(adapter.served("other")).contains("TLS handshake failed")
                .contains("127.0.0.1");
    }

    @Test
    void clientCertificateFiles_rotatedWhileRunning_newConnectionsPresentTheNewCertificate() {
        Path caFile = serverCa.writeCertificate(file("ca.crt"));
        TestPki.Issued newClientCa = TestPki.ca("new adapter client CA");
        MetricProviderServer provider = provider(serverCa.issue("provider", "127.0.0.1"),
                Optional.of(newClientCa.writeCertificate(file("new-client-ca.crt"))));
        TestPki.Issued oldClient = clientCa.issue("externalmetrics-adapter");
        Path certFile = oldClient.writeCertificate(file("client.crt"));
        Path keyFile = oldClient.writeKey(file("client.key"));
        var config = ConfigLoader.parse("""
                providers:
                  - name: p
                    target: 127.0.0.1:%d
                    metrics: [{name: m, interval: 100ms}]
                    retry: {initial: 100ms, max: 200ms}
                    tls: {caFile: %s, certFile: %s, keyFile: %s}
                """.formatted(provider.port(), quoted(caFile), quoted(certFile), quoted(keyFile)));
        var cache = new MetricCache(Clock.systemUTC());
        closer.register(ProviderManager.start(config.providers(), cache, Clock.systemUTC(), Duration.ofMillis(100)));
        Await.until("the old client certificate refused", WAIT,
                () -> read(cache) instanceof ReadResult.Unavailable unavailable && unavailable.why().contains("TLS"));

        TestPki.Issued newClient = newClientCa.issue("externalmetrics-adapter");
        newClient.writeKey(keyFile);
        newClient.writeCertificate(certFile);

        Await.until("m served once the new client certificate is presented", WAIT, () -> served(cache, "42"));
    }

    @Test
    void caFile_rotatedWhileRunning_trustsTheProvidersNewCertificate() {
        Path caFile = serverCa.writeCertificate(file("ca.crt"));
        MetricProviderServer provider = provider(serverCa.issue("provider", "127.0.0.1"), Optional.empty());
        var config = ConfigLoader.parse("""
                providers:
                  - name: p
                    target: 127.0.0.1:%d
                    retry: {initial: 100ms, max: 200ms}
                    tls: {caFile: %s}
                """.formatted(provider.port(), quoted(caFile)));
        var cache = new MetricCache(Clock.systemUTC());
        closer.register(ProviderManager.start(config.providers(), cache, Clock.systemUTC(), Duration.ofMillis(100)));
        Await.until("m served", WAIT, () -> served(cache, "42"));
        int port = provider.port();
        provider.close();
        TestPki.Issued newServerCa = TestPki.ca("new provider CA");
        provider(newServerCa.issue("provider", "127.0.0.1"), Optional.empty(), port, 43);
        Await.until("the provider's certificate from the new CA refused", WAIT,
                () -> read(cache) instanceof ReadResult.Unavailable unavailable && unavailable.why().contains("TLS"));

        newServerCa.writeCertificate(caFile);

        Await.until("m served once the new CA is trusted", WAIT, () -> served(cache, "43"));
    }

    @Test
    void clientKeyFile_replacedByOneThatDoesNotRead_oldCredentialsStay_andTheFileIsLogged() {
        Path caFile = serverCa.writeCertificate(file("ca.crt"));
        TestPki.Issued server = serverCa.issue("provider", "127.0.0.1");
        Path clientCaFile = clientCa.writeCertificate(file("client-ca.crt"));
        MetricProviderServer provider = provider(server, Optional.of(clientCaFile));
        TestPki.Issued client = clientCa.issue("externalmetrics-adapter");
        Path certFile = client.writeCertificate(file("client.crt"));
        Path keyFile = client.writeKey(file("client.key"));
        var config = ConfigLoader.parse("""
                providers:
                  - name: p
                    target: 127.0.0.1:%d
                    retry: {initial: 100ms, max: 200ms}
                    tls: {caFile: %s, certFile: %s, keyFile: %s}
                """.formatted(provider.port(), quoted(caFile), quoted(certFile), quoted(keyFile)));
        var cache = new MetricCache(Clock.systemUTC());
        var logs = closer.register(LogRecords.of(ReloadingTls.class.getName()));
        closer.register(ProviderManager.start(config.providers(), cache, Clock.systemUTC(), Duration.ofMillis(100)));
        Await.until("m served", WAIT, () -> served(cache, "42"));

        TestPki.replace(keyFile, "not a key\n");
        Await.until("the unreadable key logged", WAIT, () -> logs.atLeast(Level.WARNING).stream()
                .anyMatch(line -> line.contains("provider \"p\"") && line.contains(keyFile.toString())));
        int port = provider.port();
        provider.close();
        provider(server, Optional.of(clientCaFile), port, 43);

        Await.until("a new connection made with the old certificate, m served again", WAIT,
                () -> served(cache, "43"));
    }

    private static ReadResult read(MetricCache cache) {
        return cache.read("default", "m", Optional.empty());
    }

    private static boolean served(MetricCache cache, String value) {
        return read(cache) instanceof ReadResult.Found found
                && new String(found.body(), StandardCharsets.UTF_8).contains("\"value\":\"" + value + "\"");
    }
}
