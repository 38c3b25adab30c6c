package io.externalmetrics.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.proto.v1.MetricProviderGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link MetricProviderServer} serving TLS and requiring client certificates, on real Netty on 127.0.0.1. */
class MetricProviderServerTlsTest {

    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    @TempDir
    Path dir;

    /** A certificate and its key pair. */
    private record Issued(KeyPair keys, X509Certificate certificate) {
    }

    @Test
    void requireClientCertificates_servesAClientWithACertificateOfTheCa_andRefusesOthers() throws IOException {
        Issued serverCa = certificate("server CA", null, true);
        Issued clientCa = certificate("client CA", null, true);
        Issued server = certificate("provider", serverCa, false);
        Path clientCaFile = writeCertificate(clientCa, "client-ca.crt");
        var provider = grpc.register(MetricProviderServer.builder()
                .port(0)
                .tls(writeCertificate(server, "server.crt"), writeKey(server, "server.key"))
                .requireClientCertificates(clientCaFile)
                .addMetric(Namespace.ALL, "m", Trigger.every(Duration.ofSeconds(1)), request -> Value.of(7))
                .build()
                .start());
        Path serverCaFile = writeCertificate(serverCa, "server-ca.crt");
        Issued client = certificate("adapter", clientCa, false);
        Issued stranger = certificate("adapter", certificate("another CA", null, true), false);

        assertThat(fetch(provider, TlsChannelCredentials.newBuilder().trustManager(serverCaFile.toFile())
                .keyManager(writeCertificate(client, "client.crt").toFile(), writeKey(client, "client.key").toFile())
                .build())).isEqualTo(7);
        assertRefused(provider, TlsChannelCredentials.newBuilder().trustManager(serverCaFile.toFile()).build());
        assertRefused(provider, TlsChannelCredentials.newBuilder().trustManager(serverCaFile.toFile())
                .keyManager(writeCertificate(stranger, "stranger.crt").toFile(),
                        writeKey(stranger, "stranger.key").toFile())
                .build());
        assertRefused(provider, InsecureChannelCredentials.create());
    }

    @Test
    void tls_withoutClientCertificates_servesAnyTlsClient() throws IOException {
        Issued serverCa = certificate("server CA", null, true);
        Issued server = certificate("provider", serverCa, false);
        var provider = grpc.register(MetricProviderServer.builder()
                .port(0)
                .tls(writeCertificate(server, "server.crt"), writeKey(server, "server.key"))
                .addMetric(Namespace.ALL, "m", Trigger.every(Duration.ofSeconds(1)), request -> Value.of(7))
                .build()
                .start());

        assertThat(fetch(provider, TlsChannelCredentials.newBuilder()
                .trustManager(writeCertificate(serverCa, "ca.crt").toFile()).build())).isEqualTo(7);
        assertRefused(provider, InsecureChannelCredentials.create());
    }

    @Test
    void tls_certificateRotatedWhileServing_isServedToNewConnections() throws Exception {
        Issued oldCa = certificate("old CA", null, true);
        Issued newCa = certificate("new CA", null, true);
        Issued first = certificate("provider", oldCa, false);
        Path certFile = writeCertificate(first, "server.crt");
        Path keyFile = writeKey(first, "server.key");
        var provider = grpc.register(MetricProviderServer.builder()
                .port(0)
                .tls(certFile, keyFile)
                .tlsCheckInterval(Duration.ofMillis(50))
                .addMetric(Namespace.ALL, "m", Trigger.every(Duration.ofSeconds(1)), request -> Value.of(7))
                .build()
                .start());
        ChannelCredentials trustingOld = TlsChannelCredentials.newBuilder()
                .trustManager(writeCertificate(oldCa, "old-ca.crt").toFile()).build();
        ChannelCredentials trustingNew = TlsChannelCredentials.newBuilder()
                .trustManager(writeCertificate(newCa, "new-ca.crt").toFile()).build();
        assertThat(fetch(provider, trustingOld)).isEqualTo(7);
        assertRefused(provider, trustingNew);

        Issued second = certificate("provider", newCa, false);
        // the key first, as a rotation that writes in that order: until both match, the old pair is served
        writeKey(second, "server.key");
        writeCertificate(second, "server.crt");

        GrpcCleanup.await("a new connection to get the new certificate", () -> fetchesOrRefused(provider, trustingNew));
        assertRefused(provider, trustingOld);
    }

    @Test
    void requireClientCertificates_clientCaRotatedWhileServing_acceptsClientsOfTheNewCa() throws Exception {
        Issued serverCa = certificate("server CA", null, true);
        Issued server = certificate("provider", serverCa, false);
        Issued oldClientCa = certificate("old client CA", null, true);
        Issued newClientCa = certificate("new client CA", null, true);
        Path clientCaFile = writeCertificate(oldClientCa, "client-ca.crt");
        var provider = grpc.register(MetricProviderServer.builder()
                .port(0)
                .tls(writeCertificate(server, "server.crt"), writeKey(server, "server.key"))
                .requireClientCertificates(clientCaFile)
                .tlsCheckInterval(Duration.ofMillis(50))
                .addMetric(Namespace.ALL, "m", Trigger.every(Duration.ofSeconds(1)), request -> Value.of(7))
                .build()
                .start());
        Path serverCaFile = writeCertificate(serverCa, "server-ca.crt");
        ChannelCredentials oldClient = clientOf(certificate("adapter", oldClientCa, false), serverCaFile);
        Issued newIdentity = certificate("adapter", newClientCa, false);
        // a client whose key manager picks its certificate by the CAs the server names (the JDK's)
        ChannelCredentials newClient = TlsChannelCredentials.newBuilder().trustManager(serverCaFile.toFile())
                .keyManager(writeCertificate(newIdentity, "new.crt").toFile(),
                        writeKey(newIdentity, "new.key").toFile())
                .build();
        assertThat(fetch(provider, oldClient)).isEqualTo(7);
        assertRefused(provider, newClient);

        writeCertificate(newClientCa, "client-ca.crt");

        GrpcCleanup.await("a client of the new CA to be served", () -> fetchesOrRefused(provider, newClient));
        assertRefused(provider, oldClient);
    }

    @Test
    void tls_filesThatDoNotLoad_keepTheServedCertificate_andAreLoggedOncePerChange() throws Exception {
        Issued ca = certificate("CA", null, true);
        Issued first = certificate("provider", ca, false);
        Path certFile = writeCertificate(first, "server.crt");
        Path keyFile = writeKey(first, "server.key");
        var provider = grpc.register(MetricProviderServer.builder()
                .port(0)
                .tls(certFile, keyFile)
                .tlsCheckInterval(Duration.ofHours(1)) // checked by the test only
                .addMetric(Namespace.ALL, "m", Trigger.every(Duration.ofSeconds(1)), request -> Value.of(7))
                .build()
                .start());
        ChannelCredentials trusting = TlsChannelCredentials.newBuilder()
                .trustManager(writeCertificate(ca, "ca.crt").toFile()).build();
        Issued second = certificate("provider", ca, false);
        var warnings = new java.util.concurrent.CopyOnWriteArrayList<String>();
        Logger logger = Logger.getLogger(MetricProviderServer.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(new SimpleFormatter().formatMessage(record));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            writeCertificate(second, "server.crt"); // its key not written yet
            assertThat(provider.checkTlsFiles()).isFalse();
            assertThat(provider.checkTlsFiles()).isFalse();
            assertThat(fetch(provider, trusting)).isEqualTo(7);
            Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
            assertThat(provider.checkTlsFiles()).isFalse();
            assertThat(provider.checkTlsFiles()).isFalse();
            assertThat(fetch(provider, trusting)).isEqualTo(7);

            assertThat(warnings).hasSize(2);
            assertThat(warnings.get(0)).startsWith("TLS files changed but cannot be used, keeping the previous "
                    + "certificates: cannot use TLS certificate " + certFile + " and key " + keyFile)
                    .contains("the key does not belong to the certificate CN=provider");
            assertThat(warnings.get(1)).contains("cannot use TLS certificate " + certFile);

            writeKey(second, "server.key");
            assertThat(provider.checkTlsFiles()).isTrue();
            assertThat(fetch(provider, trusting)).isEqualTo(7);
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void start_aKeyFileThatIsNotAKey_failsNamingTheFiles() throws IOException {
        Issued server = certificate("provider", certificate("server CA", null, true), false);
        Path certFile = writeCertificate(server, "server.crt");
        Path keyFile = Files.writeString(dir.resolve("server.key"), "not a key\n");
        var provider = grpc.register(MetricProviderServer.builder().port(0).tls(certFile, keyFile)
                .addMetric(Namespace.ALL, "m", Trigger.every(Duration.ofSeconds(1)), request -> Value.of(7))
                .build());

        assertThatThrownBy(provider::start)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot use TLS certificate " + certFile + " and key " + keyFile);
    }

    @Test
    void builder_badTlsArguments_failNamingTheArgument() {
        var builder = MetricProviderServer.builder();
        Path missing = dir.resolve("missing.pem");

        assertThatThrownBy(() -> builder.tls(missing, missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("certFile must be a readable file, got " + missing);
        assertThatThrownBy(() -> builder.requireClientCertificates(dir))
                .hasMessage("caFile must be a readable file, got " + dir);
        Path caFile = writeCertificate(certificate("CA", null, true), "ca.crt");
        assertThatThrownBy(() -> MetricProviderServer.builder().requireClientCertificates(caFile).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("requireClientCertificates needs tls(certFile, keyFile)");
    }

    private double fetch(MetricProviderServer provider, ChannelCredentials credentials) {
        var channel = grpc.register(Grpc.newChannelBuilderForAddress("127.0.0.1", provider.port(), credentials)
                .build());
        return MetricProviderGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .fetch(MetricProviderServiceTest.fetch(Namespace.ALL, "m")).getValue();
    }

    /** Whether a fetch over a new connection with {@code credentials} is served (false: refused). */
    private boolean fetchesOrRefused(MetricProviderServer provider, ChannelCredentials credentials) {
        try {
            return fetch(provider, credentials) == 7;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    /** A client presenting {@code client} as the adapter does: with gRPC's {@link AdvancedTlsX509KeyManager}. */
    private static ChannelCredentials clientOf(Issued client, Path serverCaFile) throws IOException {
        var identity = new AdvancedTlsX509KeyManager();
        identity.updateIdentityCredentials(new X509Certificate[] {client.certificate()}, client.keys().getPrivate());
        return TlsChannelCredentials.newBuilder().trustManager(serverCaFile.toFile()).keyManager(identity).build();
    }

    private void assertRefused(MetricProviderServer provider, ChannelCredentials credentials) {
        assertThatThrownBy(() -> fetch(provider, credentials))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    private static Issued certificate(String commonName, Issued issuer, boolean ca) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=" + commonName);
            X500Name issuerName = issuer == null
                    ? subject
                    : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(now.toEpochMilli() ^ System.nanoTime()).abs(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), subject,
                    keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (!ca) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
            }
            var signingKey = issuer == null ? keys.getPrivate() : issuer.keys().getPrivate();
            return new Issued(keys, new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Path writeCertificate(Issued issued, String name) {
        return write(name, issued.certificate());
    }

    private Path writeKey(Issued issued, String name) {
        try {
            return write(name, new JcaPKCS8Generator(issued.keys().getPrivate(), null));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Path write(String name, Object pemObject) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(pemObject);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            return Files.writeString(dir.resolve(name), out.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
