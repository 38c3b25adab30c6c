package io.externalmetrics.adapter.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Reads PEM certificate chains and private keys, turning every problem into a
 * {@link TlsSetupException} that names the file. Keys become JDK key objects (no BouncyCastle
 * provider is registered), because Helidon refuses SEC1 and PKCS#1 PEM keys and the JDK only reads
 * PKCS#8.
 */
final class PemFiles {

    /** Larger than any sane certificate chain or key; guards against pointing at the wrong file. */
    static final long MAX_FILE_BYTES = 1 << 20;

    private static final Set<String> CERTIFICATE_TYPES = Set.of("CERTIFICATE", "X509 CERTIFICATE");
    private static final String PKCS8 = "PRIVATE KEY";
    private static final String PKCS1_RSA = "RSA PRIVATE KEY";
    private static final String SEC1_EC = "EC PRIVATE KEY";
    private static final String PKCS8_ENCRYPTED = "ENCRYPTED PRIVATE KEY";
    private static final String EC_PARAMETERS = "EC PARAMETERS";

    private PemFiles() {
    }

    /**
     * Reads every {@code CERTIFICATE} block of {@code file}, in file order; other blocks (a key
     * in a combined file, say) are skipped.
     */
    static List<X509Certificate> readCertificates(Path file) {
        String what = "TLS certificate file " + file;
        return certificates(readPem(file, what), what);
    }

    /**
     * Every {@code CERTIFICATE} block of PEM text held elsewhere than in a file (a ConfigMap key),
     * problems reported as about {@code what}.
     */
    static List<X509Certificate> parseCertificates(String pem, String what) {
        return certificates(parsePem(pem.getBytes(StandardCharsets.ISO_8859_1), what), what);
    }

    private static List<X509Certificate> certificates(List<PemObject> blocks, String what) {
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
        List<X509Certificate> certificates = new ArrayList<>();
        for (PemObject block : blocks) {
            if (!CERTIFICATE_TYPES.contains(block.getType())) {
                continue;
            }
            try {
                certificates.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(block.getContent())));
            } catch (CertificateException | RuntimeException e) {
                throw new TlsSetupException(what + ": certificate #" + (certificates.size() + 1)
                        + " is not a valid X.509 certificate (" + e.getMessage() + ")", e);
            }
        }
        if (certificates.isEmpty()) {
            throw new TlsSetupException(what + ": no certificate found " + found(blocks)
                    + "; expected PEM blocks '-----BEGIN CERTIFICATE-----', the server certificate first");
        }
        return List.copyOf(certificates);
    }

    /**
     * Reads the one private key of {@code file}: PKCS#8 {@code PRIVATE KEY}, PKCS#1
     * {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}, unencrypted. Certificates next to the
     * key are skipped.
     */
    static PrivateKey readPrivateKey(Path file) {
        String what = "TLS key file " + file;
        List<PemObject> blocks = readPem(file, what);
        PemObject keyBlock = null;
        byte[] ecParameters = null;
        for (PemObject block : blocks) {
            switch (block.getType()) {
                case PKCS8_ENCRYPTED -> throw encrypted(what, block);
                case PKCS8, PKCS1_RSA, SEC1_EC -> {
                    if (keyBlock != null) {
                        throw new TlsSetupException(what + ": more than one private key in the file; "
                                + "it must hold exactly one");
                    }
                    keyBlock = block;
                }
                case EC_PARAMETERS -> ecParameters = block.getContent();
                default -> {
                    // certificates or other blocks next to the key (a combined PEM file) are fine
                }
            }
        }
        if (keyBlock == null) {
            throw new TlsSetupException(what + ": no private key found " + found(blocks)
                    + "; expected a PEM block 'PRIVATE KEY' (PKCS#8), 'RSA PRIVATE KEY' (PKCS#1)"
                    + " or 'EC PRIVATE KEY' (SEC1)");
        }
        if (isEncrypted(keyBlock)) {
            throw encrypted(what, keyBlock);
        }
        PrivateKey key;
        try {
            PrivateKeyInfo info = switch (keyBlock.getType()) {
                case PKCS1_RSA -> new PrivateKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        RSAPrivateKey.getInstance(keyBlock.getContent()));
                case SEC1_EC -> sec1ToPkcs8(what, keyBlock.getContent(), ecParameters);
                default -> PrivateKeyInfo.getInstance(keyBlock.getContent());
            };
            key = new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (TlsSetupException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new TlsSetupException(what + ": the '" + keyBlock.getType()
                    + "' block is not a readable private key (" + e.getMessage() + ")", e);
        }
        if (!(key instanceof RSAKey || key instanceof ECKey || key instanceof EdECKey)) {
            throw new TlsSetupException(what + ": " + key.getAlgorithm()
                    + " keys are not supported for serving TLS; use an EC or RSA key");
        }
        return key;
    }

    private static PrivateKeyInfo sec1ToPkcs8(String what, byte[] content, byte[] ecParametersBlock)
            throws IOException {
        ECPrivateKey sec1 = ECPrivateKey.getInstance(content);
        ASN1Encodable curve = sec1.getParametersObject();
        if (curve == null && ecParametersBlock != null) {
            curve = ASN1Primitive.fromByteArray(ecParametersBlock);
        }
        if (curve == null) {
            throw new TlsSetupException(what + ": the 'EC PRIVATE KEY' names no curve;"
                    + " convert it to PKCS#8 (openssl pkey -in KEY -out KEY.pkcs8)");
        }
        return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), sec1);
    }

    private static boolean isEncrypted(PemObject block) {
        for (Object header : block.getHeaders()) {
            if (header instanceof PemHeader h && "Proc-Type".equalsIgnoreCase(h.getName())
                    && h.getValue() != null && h.getValue().contains("ENCRYPTED")) {
                return true;
            }
        }
        return PKCS8_ENCRYPTED.equals(block.getType());
    }

    private static TlsSetupException encrypted(String what, PemObject block) {
        return new TlsSetupException(what + ": the private key is encrypted ('" + block.getType()
                + "' with a passphrase), which is not supported; store it unencrypted,"
                + " e.g. openssl pkey -in KEY -out KEY.plain (keep that file readable only by the adapter)");
    }

    private static List<PemObject> readPem(Path file, String what) {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new TlsSetupException(what + ": is a directory, not a file");
            }
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new TlsSetupException(what + ": is " + size + " bytes, too large for a PEM file");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsSetupException(what + ": file not found", e);
        } catch (AccessDeniedException e) {
            throw new TlsSetupException(what + ": cannot be read (permission denied)", e);
        } catch (IOException e) {
            throw new TlsSetupException(what + ": cannot be read (" + e + ")", e);
        }
        return parsePem(bytes, what);
    }

    private static List<PemObject> parsePem(byte[] bytes, String what) {
        // ISO-8859-1 maps every byte, so binary garbage reaches the PEM reader (and is reported as
        // "no PEM data") rather than failing in a charset decoder.
        List<PemObject> blocks = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(new String(bytes, StandardCharsets.ISO_8859_1)))) {
            for (PemObject block = reader.readPemObject(); block != null; block = reader.readPemObject()) {
                blocks.add(block);
            }
        } catch (IOException | RuntimeException e) {
            throw new TlsSetupException(what + ": malformed PEM data (" + e.getMessage() + ")", e);
        }
        return blocks;
    }

    private static String found(List<PemObject> blocks) {
        if (blocks.isEmpty()) {
            return "(the file holds no PEM data)";
        }
        Set<String> types = new LinkedHashSet<>();
        blocks.forEach(block -> types.add("'" + block.getType() + "'"));
        return "(the file holds only " + String.join(", ", types) + ")";
    }
}
