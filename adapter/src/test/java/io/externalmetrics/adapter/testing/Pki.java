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
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
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
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test CAs and the certificates they issue (EC P-256), written as PEM files. */
public final class Pki {

    private static final AtomicLong SERIAL = new AtomicLong(1);

    private Pki() {
    }

    /** A certificate and its key pair. */
    public record Issued(KeyPair keyPair, X509Certificate certificate) {

        /** A certificate signed by this one (which must be a CA) for {@code names}: DNS names or IPv4 addresses. */
        public Issued issue(String commonName, String... names) {
            return Pki.certificate(commonName, this, false, names);
        }

        /** Writes the certificate as PEM to {@code file}; returns it. */
        public Path writeCertificate(Path file) {
            return write(file, pem(certificate));
        }

        /** Writes the private key as PKCS#8 PEM to {@code file}; returns it. */
        public Path writeKey(Path file) {
            try {
                return write(file, pem(new JcaPKCS8Generator(keyPair.getPrivate(), null)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A self-signed CA. */
    public static Issued ca(String commonName) {
        return Pki.certificate(commonName, null, true);
    }

    private static Issued certificate(String commonName, Issued issuer, boolean ca, String... names) {
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
                    BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (names.length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(Arrays.stream(names)
                        .map(n -> new GeneralName(n.matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName,
                                n))
                        .toArray(GeneralName[]::new)));
            }
            var signingKey = issuer == null ? keys.getPrivate() : issuer.keyPair().getPrivate();
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey)));
            return new Issued(keys, certificate);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Writes {@code content} to {@code file} as a Secret mount updates it: a new file moved over the
     * old one, so no reader ever sees it half-written.
     */
    public static Path write(Path file, String content) {
        try {
            Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), content,
                    StandardCharsets.US_ASCII);
            return Files.move(next, file, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
