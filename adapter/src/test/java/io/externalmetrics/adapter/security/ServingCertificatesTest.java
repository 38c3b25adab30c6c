package io.externalmetrics.adapter.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.adapter.testing.TestPki.Issued;
import io.externalmetrics.adapter.testing.TestPki.KeyFormat;
import io.helidon.common.tls.Tls;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ServingCertificatesTest {

    private static final Instant NOW = Instant.parse("2026-11-24T22:09:18.750Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    @TempDir
    Path dir;

    // ---- self-signed ----

    @Test
    void selfSignedCarriesDefaultAndGivenNamesAsDnsAndIpSans() throws Exception {
        ServingCertificates.SelfSigned selfSigned = ServingCertificates.selfSigned(
                List.of("externalmetrics.monitoring.svc", "Externalmetrics.Monitoring.svc.cluster.local",
                        "10.96.0.7", "[fd00::7]", "localhost", "::1"),
                CLOCK);

        X509Certificate certificate = selfSigned.certificate();
        assertThat(certificate.getSubjectAlternativeNames())
                .containsExactly(
                        List.of(SAN_DNS, "localhost"),
                        List.of(SAN_IP, "127.0.0.1"),
                        List.of(SAN_IP, "0:0:0:0:0:0:0:1"),
                        List.of(SAN_DNS, "externalmetrics.monitoring.svc"),
                        List.of(SAN_DNS, "externalmetrics.monitoring.svc.cluster.local"),
                        List.of(SAN_IP, "10.96.0.7"),
                        List.of(SAN_IP, "fd00:0:0:0:0:0:0:7"));
    }

    @Test
    void selfSignedIsAnEcServerCertificateValidFromTheInjectedClock() throws Exception {
        ServingCertificates.SelfSigned selfSigned = ServingCertificates.selfSigned(List.of(), CLOCK);
        X509Certificate certificate = selfSigned.certificate();

        Instant now = Instant.parse("2026-11-24T22:09:18Z"); // certificates have second precision
        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(now.minus(Duration.ofHours(1)));
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(now.plus(Duration.ofDays(365)));
        certificate.checkValidity(java.util.Date.from(NOW));

        assertThat(certificate.getVersion()).isEqualTo(3);
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=externalmetrics");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        certificate.verify(certificate.getPublicKey());
        assertThat(certificate.getSerialNumber()).isPositive();

        assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1"); // serverAuth
        assertThat(certificate.getBasicConstraints()).isEqualTo(-1); // not a CA
        boolean[] keyUsage = certificate.getKeyUsage();
        assertThat(keyUsage[0]).as("digitalSignature").isTrue();
        for (int i = 1; i < keyUsage.length; i++) {
            assertThat(keyUsage[i]).as("key usage bit " + i).isFalse();
        }
        assertThat(certificate.getCriticalExtensionOIDs())
                .containsExactlyInAnyOrder("2.5.29.19", "2.5.29.15"); // basicConstraints, keyUsage
        assertThat(certificate.getPublicKey()).isInstanceOf(ECPublicKey.class);
        assertThat(((ECPublicKey) certificate.getPublicKey()).getParams().getCurve().getField().getFieldSize())
                .isEqualTo(256);
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
    }

    @Test
    void selfSignedPemParsesBackToTheCertificate() throws Exception {
        ServingCertificates.SelfSigned selfSigned = ServingCertificates.selfSigned(List.of("a.example"), CLOCK);

        String pem = selfSigned.certificatePem();
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("\n-----END CERTIFICATE-----\n");
        assertThat(pem.lines().filter(line -> !line.startsWith("-----"))).allMatch(line -> line.length() <= 64);
        X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        assertThat(parsed).isEqualTo(selfSigned.certificate());
    }

    @Test
    void selfSignedGeneratesAFreshKeyEachTime() {
        X509Certificate first = ServingCertificates.selfSigned(List.of(), CLOCK).certificate();
        X509Certificate second = ServingCertificates.selfSigned(List.of(), CLOCK).certificate();
        assertThat(first.getPublicKey()).isNotEqualTo(second.getPublicKey());
        assertThat(first.getSerialNumber()).isNotEqualTo(second.getSerialNumber());
    }

    @Test
    void selfSignedTlsServesTls12And13WithoutClientAuth() {
        assertServerTls(ServingCertificates.selfSigned(List.of(), CLOCK).tls());
    }

    @Test
    void selfSignedRefusesNamesThatAreNeitherDnsNamesNorIps() {
        assertThatThrownBy(() -> ServingCertificates.selfSigned(List.of("bad name"), CLOCK))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining("'bad name'");
        assertThatThrownBy(() -> ServingCertificates.selfSigned(List.of(" "), CLOCK))
                .isInstanceOf(TlsSetupException.class);
        assertThatThrownBy(() -> ServingCertificates.selfSigned(List.of("under_score.example"), CLOCK))
                .isInstanceOf(TlsSetupException.class);
    }

    @Test
    void selfSignedAcceptsWildcardNames() throws Exception {
        X509Certificate certificate =
                ServingCertificates.selfSigned(List.of("*.monitoring.svc"), CLOCK).certificate();
        assertThat(certificate.getSubjectAlternativeNames()).contains(List.of(SAN_DNS, "*.monitoring.svc"));
    }

    // ---- from files ----

    enum KeyCase {
        RSA_PKCS8(true, KeyFormat.PKCS8, "-----BEGIN PRIVATE KEY-----"),
        RSA_PKCS1(true, KeyFormat.TRADITIONAL, "-----BEGIN RSA PRIVATE KEY-----"),
        EC_PKCS8(false, KeyFormat.PKCS8, "-----BEGIN PRIVATE KEY-----"),
        EC_SEC1(false, KeyFormat.TRADITIONAL, "-----BEGIN EC PRIVATE KEY-----");

        final boolean rsa;
        final KeyFormat format;
        final String header;

        KeyCase(boolean rsa, KeyFormat format, String header) {
            this.rsa = rsa;
            this.format = format;
            this.header = header;
        }

        KeyPair keys() {
            return rsa ? TestPki.rsa() : TestPki.ec();
        }
    }

    @ParameterizedTest
    @EnumSource(KeyCase.class)
    void fromFilesReadsEveryKeyFormat(KeyCase keyCase) {
        Issued server = TestPki.selfSignedServer(keyCase.keys());
        String keyPem = TestPki.keyPem(server.keyPair().getPrivate(), keyCase.format);
        assertThat(keyPem).startsWith(keyCase.header);
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate()));
        Path key = TestPki.write(dir, "tls.key", keyPem);

        Tls tls = ServingCertificates.fromFiles(cert, key);

        assertServerTls(tls);
        assertThat(tls.prototype().privateKeyCertChain()).containsExactly(server.certificate());
        assertThat(tls.prototype().privateKey()).hasValueSatisfying(k -> {
            assertThat(k.getAlgorithm()).isEqualTo(keyCase.rsa ? "RSA" : "EC");
            // a JDK key, not a BouncyCastle one: SunJSSE is what serves
            assertThat(k.getClass().getName()).startsWith("sun.security.");
            if (k instanceof ECPrivateKey ecKey) {
                // the encoding differs (SEC1 keeps the curve inside); the secret must not
                assertThat(ecKey.getS()).isEqualTo(((ECPrivateKey) server.keyPair().getPrivate()).getS());
            } else {
                assertThat(k.getEncoded()).isEqualTo(server.keyPair().getPrivate().getEncoded());
            }
        });
    }

    @Test
    void fromFilesReadsAChainWithTheServerCertificateFirst() {
        Issued ca = TestPki.certificate("test CA", TestPki.ec(), null, true);
        Issued server = TestPki.certificate("server", TestPki.ec(), ca, false, "localhost");
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate(), ca.certificate()));
        Path key = TestPki.write(dir, "tls.key", TestPki.keyPem(server.keyPair().getPrivate(), KeyFormat.PKCS8));

        Tls tls = ServingCertificates.fromFiles(cert, key);

        assertThat(tls.prototype().privateKeyCertChain()).containsExactly(server.certificate(), ca.certificate());
    }

    @Test
    void fromFilesAcceptsOneCombinedFileForCertificateAndKey() {
        Issued server = TestPki.selfSignedServer(TestPki.ec());
        Path combined = TestPki.write(dir, "tls.pem",
                TestPki.keyPem(server.keyPair().getPrivate(), KeyFormat.TRADITIONAL)
                        + TestPki.pem(server.certificate()));

        Tls tls = ServingCertificates.fromFiles(combined, combined);

        assertThat(tls.prototype().privateKeyCertChain()).containsExactly(server.certificate());
    }

    @Test
    void fromFilesAcceptsOpensslEcParametersBeforeTheKey() {
        // "openssl ecparam -genkey" writes an EC PARAMETERS block first
        Issued server = TestPki.selfSignedServer(TestPki.ec());
        String parameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate()));
        Path key = TestPki.write(dir, "tls.key",
                parameters + TestPki.sec1PemWithoutCurve(server.keyPair().getPrivate()));

        assertServerTls(ServingCertificates.fromFiles(cert, key));
    }

    @Test
    void fromFilesNamesAnEcKeyWithoutCurve() {
        Issued server = TestPki.selfSignedServer(TestPki.ec());
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate()));
        Path key = TestPki.write(dir, "tls.key", TestPki.sec1PemWithoutCurve(server.keyPair().getPrivate()));

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("TLS key file " + key + ": the 'EC PRIVATE KEY' names no curve");
    }

    @ParameterizedTest
    @EnumSource(KeyCase.class)
    void fromFilesRefusesAKeyThatDoesNotBelongToTheCertificate(KeyCase keyCase) {
        Issued server = TestPki.selfSignedServer(keyCase.keys());
        KeyPair other = keyCase.keys();
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate()));
        Path key = TestPki.write(dir, "other.key", TestPki.keyPem(other.getPrivate(), keyCase.format));

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining(key.toString())
                .hasMessageContaining(cert.toString())
                .hasMessageContaining("does not belong to the first certificate");
    }

    @Test
    void fromFilesRefusesAnRsaKeyForAnEcCertificate() {
        Issued server = TestPki.selfSignedServer(TestPki.ec());
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate()));
        Path key = TestPki.write(dir, "tls.key", TestPki.keyPem(TestPki.rsa().getPrivate(), KeyFormat.PKCS8));

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining(key.toString())
                .hasMessageContaining("RSA key does not belong");
    }

    @Test
    void fromFilesSaysWhenTheServerCertificateIsNotFirst() {
        Issued ca = TestPki.certificate("test CA", TestPki.ec(), null, true);
        Issued server = TestPki.certificate("server", TestPki.ec(), ca, false, "localhost");
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(ca.certificate(), server.certificate()));
        Path key = TestPki.write(dir, "tls.key", TestPki.keyPem(server.keyPair().getPrivate(), KeyFormat.PKCS8));

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining("belongs to certificate #2 (CN=server)")
                .hasMessageContaining("the server certificate must come first");
    }

    @Test
    void fromFilesNamesAMissingCertificateFile() {
        Path key = TestPki.write(dir, "tls.key", TestPki.keyPem(TestPki.ec().getPrivate(), KeyFormat.PKCS8));
        Path missing = dir.resolve("missing.crt");

        assertThatThrownBy(() -> ServingCertificates.fromFiles(missing, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("TLS certificate file " + missing + ": file not found");
    }

    @Test
    void fromFilesNamesAMissingKeyFile() {
        Issued server = TestPki.selfSignedServer(TestPki.ec());
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate()));
        Path missing = dir.resolve("missing.key");

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, missing))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("TLS key file " + missing + ": file not found");
    }

    @Test
    void fromFilesNamesADirectory() {
        Path key = TestPki.write(dir, "tls.key", TestPki.keyPem(TestPki.ec().getPrivate(), KeyFormat.PKCS8));

        assertThatThrownBy(() -> ServingCertificates.fromFiles(dir, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("TLS certificate file " + dir + ": is a directory, not a file");
    }

    @Test
    void fromFilesNamesAGarbageCertificateFile() {
        byte[] garbage = new byte[2048];
        new Random(42).nextBytes(garbage);
        Path cert = TestPki.write(dir, "garbage.crt", garbage);
        Path key = TestPki.write(dir, "tls.key", TestPki.keyPem(TestPki.ec().getPrivate(), KeyFormat.PKCS8));

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("TLS certificate file " + cert + ": no certificate found")
                .hasMessageContaining("no PEM data");
    }

    @Test
    void fromFilesNamesAGarbageKeyFile() {
        Issued server = TestPki.selfSignedServer(TestPki.ec());
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate()));
        Path key = TestPki.write(dir, "garbage.key", "this is not a key\n");

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("TLS key file " + key + ": no private key found");
    }

    @Test
    void fromFilesNamesAKeyFileHoldingOnlyACertificate() {
        Issued server = TestPki.selfSignedServer(TestPki.ec());
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate()));

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, cert))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("TLS key file " + cert + ": no private key found")
                .hasMessageContaining("(the file holds only 'CERTIFICATE')");
    }

    @Test
    void fromFilesNamesACertificateFileHoldingOnlyAKey() {
        Path key = TestPki.write(dir, "tls.key", TestPki.keyPem(TestPki.ec().getPrivate(), KeyFormat.PKCS8));

        assertThatThrownBy(() -> ServingCertificates.fromFiles(key, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("TLS certificate file " + key + ": no certificate found")
                .hasMessageContaining("'PRIVATE KEY'");
    }

    @Test
    void fromFilesNamesACorruptCertificate() {
        Path cert = TestPki.write(dir, "corrupt.crt",
                "-----BEGIN CERTIFICATE-----\nTUlJQm9yZ290dGVu\n-----END CERTIFICATE-----\n");
        Path key = TestPki.write(dir, "tls.key", TestPki.keyPem(TestPki.ec().getPrivate(), KeyFormat.PKCS8));

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("TLS certificate file " + cert + ": certificate #1 is not a valid");
    }

    @Test
    void fromFilesNamesACorruptKey() {
        Issued server = TestPki.selfSignedServer(TestPki.ec());
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate()));
        Path key = TestPki.write(dir, "corrupt.key",
                "-----BEGIN EC PRIVATE KEY-----\nTUlJQm9yZ290dGVu\n-----END EC PRIVATE KEY-----\n");

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("TLS key file " + key + ": the 'EC PRIVATE KEY' block is not a readable");
    }

    @Test
    void fromFilesNamesTruncatedPem() {
        Issued server = TestPki.selfSignedServer(TestPki.ec());
        String pem = TestPki.pem(server.certificate());
        Path cert = TestPki.write(dir, "truncated.crt", pem.substring(0, pem.length() / 2));
        Path key = TestPki.write(dir, "tls.key", TestPki.keyPem(server.keyPair().getPrivate(), KeyFormat.PKCS8));

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("TLS certificate file " + cert + ": malformed PEM data");
    }

    @Test
    void fromFilesSaysEncryptedPkcs8KeysAreNotSupported() {
        Issued server = TestPki.selfSignedServer(TestPki.ec());
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate()));
        Path key = TestPki.write(dir, "tls.key", TestPki.encryptedPkcs8Pem(server.keyPair().getPrivate()));

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("TLS key file " + key + ": the private key is encrypted")
                .hasMessageContaining("not supported");
    }

    @Test
    void fromFilesSaysEncryptedTraditionalKeysAreNotSupported() {
        Issued server = TestPki.selfSignedServer(TestPki.rsa());
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate()));
        String keyPem = TestPki.encryptedTraditionalPem(server.keyPair().getPrivate());
        assertThat(keyPem).contains("Proc-Type: 4,ENCRYPTED");
        Path key = TestPki.write(dir, "tls.key", keyPem);

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("TLS key file " + key + ": the private key is encrypted ('RSA PRIVATE KEY'")
                .hasMessageContaining("not supported");
    }

    @Test
    void fromFilesRefusesTwoKeysInOneFile() {
        Issued server = TestPki.selfSignedServer(TestPki.ec());
        Path cert = TestPki.write(dir, "tls.crt", TestPki.pem(server.certificate()));
        String keyPem = TestPki.keyPem(server.keyPair().getPrivate(), KeyFormat.PKCS8);
        Path key = TestPki.write(dir, "tls.key", keyPem + keyPem);

        assertThatThrownBy(() -> ServingCertificates.fromFiles(cert, key))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("TLS key file " + key + ": more than one private key");
    }

    private static void assertServerTls(Tls tls) {
        assertThat(tls.enabled()).isTrue();
        SSLParameters parameters = tls.sslParameters();
        assertThat(parameters.getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(parameters.getNeedClientAuth()).isFalse();
        assertThat(parameters.getWantClientAuth()).isFalse();
        assertThat(tls.prototype().trust()).isEmpty();
        assertThat(tls.prototype().trustAll()).isFalse();
    }
}
