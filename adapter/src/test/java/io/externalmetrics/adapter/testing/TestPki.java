package io.externalmetrics.adapter.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** Test keys, certificates and PEM files, made with the JDK and BouncyCastle. */
public final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(1);

    /** Key formats a key file can be written in. */
    public enum KeyFormat {
        /** "PRIVATE KEY". */
        PKCS8,
        /** "RSA PRIVATE KEY" or "EC PRIVATE KEY": OpenSSL's traditional formats. */
        TRADITIONAL
    }

    public record Issued(KeyPair keyPair, X509Certificate certificate) {

        /** A certificate signed by this one (a CA) for {@code names}: DNS names or IPv4 addresses. */
        public Issued issue(String commonName, String... names) {
            return TestPki.certificate(commonName, ec(), this, false, names);
        }

        /**
         * A client certificate signed by this one (a CA) for {@code subject}, such as
         * {@code "CN=alice,O=team-a,O=team-b"}, with {@code extendedKeyUsages} (none: the extension is left out).
         */
        public Issued issueClient(String subject, KeyPurposeId... extendedKeyUsages) {
            return TestPki.client(subject, this, extendedKeyUsages);
        }

        /** Writes the certificate as PEM to {@code file}, replacing it at once (see {@link #replace}). */
        public Path writeCertificate(Path file) {
            return replace(file, pem(certificate));
        }

        /** Writes the private key as PKCS#8 PEM to {@code file}, replacing it at once. */
        public Path writeKey(Path file) {
            return replace(file, keyPem(keyPair.getPrivate(), KeyFormat.PKCS8));
        }
    }

    /** A self-signed CA with an EC key. */
    public static Issued ca(String commonName) {
        return certificate(commonName, ec(), null, true);
    }

    private TestPki() {
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A certificate for {@code subjectKeys} signed by {@code issuer} (self-signed when null), for
     * {@code dnsNames}: DNS names, or IPv4 addresses.
     */
    public static Issued certificate(String commonName, KeyPair subjectKeys, Issued issuer, boolean ca,
                                     String... dnsNames) {
        try {
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=" + commonName);
            X500Name issuerName = issuer == null
                    ? subject
                    : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
            PrivateKey signingKey = issuer == null ? subjectKeys.getPrivate() : issuer.keyPair().getPrivate();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuerName, BigInteger.valueOf(SERIAL.getAndIncrement()),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))),
                    subject, subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (dnsNames.length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                        Arrays.stream(dnsNames)
                                .map(n -> new GeneralName(n.matches("[0-9.]+") ? GeneralName.iPAddress
                                        : GeneralName.dNSName, n))
                                .toArray(GeneralName[]::new)));
            }
            String algorithm = signingKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey)));
            return new Issued(subjectKeys, certificate);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client certificate for {@code subject} signed by {@code issuer}, valid for a day from five minutes ago. */
    public static Issued client(String subject, Issued issuer, KeyPurposeId... extendedKeyUsages) {
        return client(subject, issuer, Instant.now().minus(Duration.ofMinutes(5)), Duration.ofDays(1),
                extendedKeyUsages);
    }

    /** A client certificate for {@code subject} signed by {@code issuer}, valid from {@code from} on. */
    public static Issued client(String subject, Issued issuer, Instant from, Duration validity,
                                KeyPurposeId... extendedKeyUsages) {
        try {
            KeyPair keys = ec();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()),
                    BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(from), Date.from(from.plus(validity)),
                    new X500Name(subject), keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            if (extendedKeyUsages.length > 0) {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(extendedKeyUsages));
            }
            PrivateKey signingKey = issuer.keyPair().getPrivate();
            String algorithm = signingKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new Issued(keys, new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An intermediate CA signed by {@code issuer}. */
    public static Issued intermediate(String commonName, Issued issuer) {
        return certificate(commonName, ec(), issuer, true);
    }

    public static Issued selfSignedServer(KeyPair keys) {
        return certificate("server", keys, null, false, "localhost");
    }

    public static String pem(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    public static String keyPem(PrivateKey key, KeyFormat format) {
        try {
            return switch (format) {
                case PKCS8 -> pem(new JcaPKCS8Generator(key, null));
                case TRADITIONAL -> key instanceof ECPrivateKey ? sec1Pem(key) : pem(key);
            };
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * SEC1 "EC PRIVATE KEY" with the curve OID inside, as openssl and Go's x509 write it.
     * (BouncyCastle's JcaPEMWriter copies the JDK's inner key, which names no curve: see
     * {@link #sec1PemWithoutCurve}.)
     */
    private static String sec1Pem(PrivateKey key) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        var inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        var withCurve = new org.bouncycastle.asn1.sec.ECPrivateKey(
                256, inner.getKey(), inner.getPublicKey(), info.getPrivateKeyAlgorithm().getParameters());
        return pem(new PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
    }

    /** SEC1 "EC PRIVATE KEY" without the optional curve parameters. */
    public static String sec1PemWithoutCurve(PrivateKey key) {
        String pem = pem(key);
        if (!pem.startsWith("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalStateException(pem);
        }
        return pem;
    }

    public static String encryptedPkcs8Pem(PrivateKey key) {
        try {
            var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                    .setProvider(new BouncyCastleProvider())
                    .setPassword("secret".toCharArray())
                    .build();
            return pem(new JcaPKCS8Generator(key, encryptor));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String encryptedTraditionalPem(PrivateKey key) {
        try {
            var encryptor = new JcePEMEncryptorBuilder("AES-128-CBC")
                    .setProvider(new BouncyCastleProvider())
                    .build("secret".toCharArray());
            return pem(new JcaMiscPEMGenerator(key, encryptor));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path write(Path dir, String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<X509Certificate> chain(Issued... issued) {
        return Arrays.stream(issued).map(Issued::certificate).toList();
    }

    /**
     * Writes {@code content} to {@code file} as a Secret mount updates it: a new file moved over the
     * old one, so no reader ever sees it half-written.
     */
    public static Path replace(Path file, String content) {
        try {
            Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), content,
                    StandardCharsets.US_ASCII);
            return Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
