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
