package io.externalmetrics.adapter.security;

import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * Produces the {@link Tls} the adapter serves HTTPS with, for the kube-apiserver's aggregation
 * layer (which proxies over HTTP/2 when offered) and for anyone calling the adapter directly.
 *
 * <p>Two sources: PEM files ({@link #fromFiles}), normally a Secret mounted into the pod, or a
 * freshly generated self-signed certificate ({@link #selfSigned}) when none is configured, as
 * apiserver-based adapters do; its PEM can go into the {@code APIService}'s {@code caBundle}.
 *
 * <p>Either way the result allows TLS 1.3 and 1.2 only, with modern cipher suites, and asks for a
 * client certificate only when told to ({@link ClientCertificates}). ALPN is
 * left to Helidon: the webserver answers the client's ALPN offer from the protocols it has
 * registered ({@code h2} from helidon-webserver-http2, {@code http/1.1}), so nothing is set here.
 *
 * <p>Whoever builds the listener: also set {@code connectionOptions(o -> o.tcpNoDelay(true))},
 * otherwise small HTTP/2 responses wait about 40 ms for Nagle's algorithm and delayed ACKs, e.g.
 * <pre>{@code
 * WebServer.builder()
 *         .port(6443)
 *         .tls(ServingCertificates.fromFiles(certFile, keyFile))
 *         .connectionOptions(o -> o.tcpNoDelay(true))
 *         ...
 * }</pre>
 * {@link ServingCertificateWatcher} picks up rotated files without a restart: it calls
 * {@code fromFiles} again and passes the result to Helidon's {@code WebServer.reloadTls(Tls)}.
 */
public final class ServingCertificates {

    /** Subject common name of the self-signed certificate. */
    public static final String SELF_SIGNED_COMMON_NAME = "externalmetrics";

    /** Names every self-signed certificate carries, besides those asked for: for local calls. */
    public static final List<String> DEFAULT_NAMES = List.of("localhost", "127.0.0.1", "::1");

    /** The self-signed certificate is valid from this long before "now", to absorb clock skew. */
    public static final Duration SELF_SIGNED_BACKDATE = Duration.ofHours(1);

    /** The self-signed certificate is valid until this long after "now". */
    public static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(365);

    /** TLS versions served, newest first (public for the bench's limit server, which must match them). */
    public static final List<String> TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * Cipher suites served: TLS 1.3's three, and for TLS 1.2 only forward-secret ECDHE with AEAD
     * ciphers, as Mozilla's "intermediate" profile and Go's preferred list (which kubectl and the
     * aggregation layer speak) have them; no CBC, no RSA key exchange. Public for the bench's limit
     * server, which must match them.
     */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    // RFC 1123 host names, optionally with a leading wildcard label ("*.svc.example").
    private static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private static final SecureRandom RANDOM = new SecureRandom();

    private ServingCertificates() {
    }

    /**
     * A generated self-signed serving certificate.
     *
     * @param tls            the server TLS using the certificate and its private key
     * @param certificate    the certificate
     * @param certificatePem the certificate in PEM, to log, to write out, or to pass as the
     *                       {@code APIService}'s {@code caBundle} (base64 of this text)
     */
    public record SelfSigned(Tls tls, X509Certificate certificate, String certificatePem) {
        public SelfSigned {
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(certificatePem, "certificatePem");
        }
    }

    /**
     * Server TLS from PEM files.
     *
     * @param certFile the certificate chain, one or more {@code CERTIFICATE} blocks, the server's
     *                 own certificate first (intermediates may follow)
     * @param keyFile  the unencrypted private key of the first certificate: {@code PRIVATE KEY}
     *                 (PKCS#8), {@code RSA PRIVATE KEY} (PKCS#1) or {@code EC PRIVATE KEY} (SEC1);
     *                 may be the same file as {@code certFile}
     * @return server TLS, TLS 1.2/1.3, no client authentication
     * @throws TlsSetupException naming the file, when a file is missing or unreadable, holds no
     *                           certificate or no readable key, the key is encrypted, or the key
     *                           does not belong to the first certificate
     */
    public static Tls fromFiles(Path certFile, Path keyFile) {
        return fromFiles(certFile, keyFile, ClientCertificates.NONE);
    }

    /** {@link #fromFiles(Path, Path)}, asking for client certificates as {@code clientCertificates} says. */
    public static Tls fromFiles(Path certFile, Path keyFile, ClientCertificates clientCertificates) {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(clientCertificates, "clientCertificates");
        List<X509Certificate> chain = PemFiles.readCertificates(certFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        checkKeyBelongsToCertificate(key, chain, certFile, keyFile);
        return serverTls(key, chain, "certificate " + certFile + " and key " + keyFile, clientCertificates);
    }

    /**
     * Generates an EC P-256 key and a self-signed certificate for it: subject
     * {@code CN=externalmetrics}, valid from an hour before {@code clock}'s now for a year, not a
     * CA, key usage digitalSignature, extended key usage serverAuth, subject alternative names
     * {@code localhost}, {@code 127.0.0.1}, {@code ::1} and every entry of {@code names}.
     *
     * @param names further names, normally the Service's DNS names
     *              ({@code NAME.NAMESPACE.svc}, {@code NAME.NAMESPACE.svc.cluster.local}); an entry
     *              that is an IPv4 or IPv6 literal (optionally in brackets) becomes an IP SAN
     * @param clock where "now" comes from
     * @return the server TLS and the certificate
     * @throws TlsSetupException when an entry is neither a valid DNS name nor an IP literal
     */
    public static SelfSigned selfSigned(List<String> names, Clock clock) {
        return selfSigned(names, clock, ClientCertificates.NONE);
    }

    /** {@link #selfSigned(List, Clock)}, asking for client certificates as {@code clientCertificates} says. */
    public static SelfSigned selfSigned(List<String> names, Clock clock, ClientCertificates clientCertificates) {
        Objects.requireNonNull(clientCertificates, "clientCertificates");
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(clock, "clock");
        List<String> all = new ArrayList<>(DEFAULT_NAMES);
        all.addAll(names);
        GeneralNames subjectAltNames = subjectAltNames(all);

        KeyPair keyPair;
        X509Certificate certificate;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            keyPair = generator.generateKeyPair();

            Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            X500Name subject = new X500Name("CN=" + SELF_SIGNED_COMMON_NAME);
            // positive, non-zero, at most 20 octets (RFC 5280 4.1.2.2)
            BigInteger serial = new BigInteger(159, RANDOM).add(BigInteger.ONE);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject,
                    serial,
                    Date.from(now.minus(SELF_SIGNED_BACKDATE)),
                    Date.from(now.plus(SELF_SIGNED_VALIDITY)),
                    subject,
                    keyPair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames);
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keyPair.getPublic()));
            certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate())));
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new TlsSetupException("cannot generate a self-signed serving certificate: " + e.getMessage(), e);
        }
        Tls tls = serverTls(keyPair.getPrivate(), List.of(certificate), "the self-signed certificate",
                clientCertificates);
        return new SelfSigned(tls, certificate, toPem(certificate));
    }

    /**
     * The one place the server {@link Tls} is assembled: TLS 1.3 and 1.2 with {@link #CIPHER_SUITES}.
     * With client certificates requested: {@link TlsClientAuth#OPTIONAL}, never {@code REQUIRED}
     * (bearer-token callers and health probes present none), and a trust manager that lets any
     * chain through for the authenticators to verify (see {@link ClientCertificates}).
     *
     * <p>{@code WebServer.reloadTls} keeps the protocols, cipher suites and client authentication
     * of the listener's first {@code Tls} and swaps only the key and trust managers, so every
     * reload must come from here with the same {@code clientCertificates}.
     */
    static Tls serverTls(PrivateKey key, List<X509Certificate> chain, String source,
                         ClientCertificates clientCertificates) {
        try {
            var builder = Tls.builder()
                    .privateKey(key)
                    .privateKeyCertChain(chain)
                    // the key store that hands the key to the key manager lives in memory for an instant:
                    // the default, PKCS12, encrypts the key into it and out again with 10,000 rounds of
                    // PBKDF2 each way, the costliest step of a start after the AOT cache; JKS only wraps it
                    .internalKeystoreType("JKS")
                    .enabledProtocols(TLS_PROTOCOLS)
                    .enabledCipherSuites(CIPHER_SUITES)
                    .clientAuth(clientCertificates.requested() ? TlsClientAuth.OPTIONAL : TlsClientAuth.NONE);
            builder.manager(new ServerTlsManager(clientCertificates.requested()
                    ? new AnyClientCertificateTrustManager(clientCertificates.acceptedIssuers())
                    : new NoClientCertificateTrustManager()));
            return builder.build();
        } catch (RuntimeException e) {
            throw new TlsSetupException("cannot set up TLS with " + source + ": " + e.getMessage(), e);
        }
    }

    /** PEM text of a certificate: 64-character base64 lines, ending with a newline. */
    static String toPem(X509Certificate certificate) {
        try {
            String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded());
            return "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode certificate", e);
        }
    }

    private static GeneralNames subjectAltNames(List<String> names) {
        Set<GeneralName> result = new LinkedHashSet<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw new TlsSetupException("empty name for the self-signed serving certificate");
            }
            String trimmed = name.strip();
            String literal = trimmed.startsWith("[") && trimmed.endsWith("]")
                    ? trimmed.substring(1, trimmed.length() - 1)
                    : trimmed;
            if (IPAddress.isValid(literal)) {
                result.add(new GeneralName(GeneralName.iPAddress, literal));
                continue;
            }
            String dnsName = trimmed.toLowerCase(Locale.ROOT);
            if (dnsName.length() > 253 || !DNS_NAME.matcher(dnsName).matches()) {
                throw new TlsSetupException("'" + name + "' is neither a DNS name nor an IP address,"
                        + " so it cannot go into the self-signed serving certificate");
            }
            result.add(new GeneralName(GeneralName.dNSName, dnsName));
        }
        return new GeneralNames(result.toArray(GeneralName[]::new));
    }

    /** Fails naming both files unless {@code key} belongs to the chain's first certificate (served, or presented). */
    static void checkKeyBelongsToCertificate(PrivateKey key, List<X509Certificate> chain, Path certFile,
                                             Path keyFile) {
        X509Certificate server = chain.getFirst();
        if (keyMatches(key, server.getPublicKey())) {
            return;
        }
        String message = "TLS key file " + keyFile + ": the " + key.getAlgorithm()
                + " key does not belong to the first certificate of TLS certificate file " + certFile
                + " (" + server.getSubjectX500Principal().getName() + ", "
                + server.getPublicKey().getAlgorithm() + " key)";
        for (int i = 1; i < chain.size(); i++) {
            if (keyMatches(key, chain.get(i).getPublicKey())) {
                message += "; it belongs to certificate #" + (i + 1) + " ("
                        + chain.get(i).getSubjectX500Principal().getName()
                        + "): the server certificate must come first";
                break;
            }
        }
        throw new TlsSetupException(message);
    }

    /** Whether {@code key} is the private half of {@code publicKey}. */
    static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
        if (key instanceof RSAKey rsaKey) {
            return publicKey instanceof RSAKey rsaPublic && rsaKey.getModulus().equals(rsaPublic.getModulus());
        }
        String algorithm;
        if (key instanceof ECKey && publicKey instanceof ECKey) {
            algorithm = "SHA256withECDSA";
        } else if (key instanceof EdECKey && publicKey instanceof EdECKey) {
            algorithm = "EdDSA";
        } else {
            return false;
        }
        // EC and EdDSA private keys do not carry their public point: prove possession instead.
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // e.g. keys on different curves
        }
    }
}
