package io.externalmetrics.provider;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The server's TLS credentials, re-read from their files while it serves: cert-manager and Kubernetes
 * rotate certificates in place, and a provider should not need a restart for it. gRPC's
 * {@link AdvancedTlsX509KeyManager} and {@link AdvancedTlsX509TrustManager} hold the current
 * certificate and client CAs; {@link #check} reads the files and, when their bytes changed and they
 * still make a certificate with its own key (and CAs), hands them over, so new connections get them
 * (open ones keep theirs). Files that changed but do not load (half written, a key of another
 * certificate) are logged once per state of the files, and the old credentials stay.
 */
final class ReloadingServerTls {

    private static final System.Logger LOG = System.getLogger(MetricProviderServer.class.getName());

    private final Path certFile;
    private final Path keyFile;
    private final Optional<Path> clientCaFile;
    private final AdvancedTlsX509KeyManager identity = new AdvancedTlsX509KeyManager();
    private final Optional<AdvancedTlsX509TrustManager> clientCas;
    private final ServerCredentials credentials;
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock: the files' bytes last applied, and last rejected (null: none)
    private List<byte[]> applied;
    private List<byte[]> rejected;

    private ReloadingServerTls(Path certFile, Path keyFile, Optional<Path> clientCaFile) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.clientCaFile = clientCaFile;
        try {
            clientCas = clientCaFile.isEmpty() ? Optional.empty() : Optional.of(AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                    .build());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a trust manager", e);
        }
        TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder().keyManager(identity);
        clientCas.ifPresent(trust -> tls.trustManager(new NamingNoCas(trust))
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE));
        credentials = tls.build();
    }

    /**
     * Reads the files and holds their credentials.
     *
     * @throws UncheckedIOException if a file cannot be read
     * @throws IllegalArgumentException naming the files, if they do not hold a certificate chain with its
     *     PKCS#8 key, or CA certificates
     */
    static ReloadingServerTls load(Path certFile, Path keyFile, Optional<Path> clientCaFile) {
        var tls = new ReloadingServerTls(certFile, keyFile, clientCaFile);
        List<byte[]> contents = tls.read();
        for (int i = 0; i < contents.size(); i++) {
            if (contents.get(i) == null) {
                Path file = tls.files().get(i);
                try {
                    Files.readAllBytes(file); // again, for the reason
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read TLS file " + file + ": " + e.getMessage(), e);
                }
            }
        }
        tls.apply(contents);
        tls.lock.lock();
        try {
            tls.applied = contents;
        } finally {
            tls.lock.unlock();
        }
        return tls;
    }

    /** Credentials that present, and check clients against, what the files held at the last applied change. */
    ServerCredentials credentials() {
        return credentials;
    }

    /**
     * Reads the files once and applies them when their bytes changed and they load.
     *
     * @return whether new credentials were applied
     */
    boolean check() {
        lock.lock();
        try {
            List<byte[]> now = read();
            if (same(now, applied)) {
                rejected = null;
                return false;
            }
            if (same(now, rejected)) {
                return false;
            }
            try {
                apply(now);
            } catch (RuntimeException e) {
                rejected = now;
                LOG.log(Level.WARNING, "TLS files changed but cannot be used, keeping the previous certificates: {0}",
                        e.getMessage());
                return false;
            }
            applied = now;
            rejected = null;
            LOG.log(Level.INFO, "TLS files changed; new connections get the certificate of {0}", certFile);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private List<Path> files() {
        var files = new ArrayList<>(List.of(certFile, keyFile));
        clientCaFile.ifPresent(files::add);
        return files;
    }

    /** The bytes of each of {@link #files()}; null for a file that cannot be read (being replaced, say). */
    private List<byte[]> read() {
        var contents = new ArrayList<byte[]>();
        for (Path file : files()) {
            try {
                contents.add(Files.readAllBytes(file));
            } catch (IOException e) {
                contents.add(null);
            }
        }
        return contents;
    }

    /** Parses every file before handing anything over, so a bad one changes nothing. */
    private void apply(List<byte[]> contents) {
        for (int i = 0; i < contents.size(); i++) {
            if (contents.get(i) == null) {
                throw new IllegalArgumentException("cannot read " + files().get(i));
            }
        }
        X509Certificate[] chain;
        PrivateKey key;
        try {
            chain = CertificateUtils.getX509Certificates(new ByteArrayInputStream(contents.get(0)));
            key = CertificateUtils.getPrivateKey(new ByteArrayInputStream(contents.get(1)));
            if (chain.length == 0) {
                throw new GeneralSecurityException("no PEM certificate in the certificate file");
            }
            if (key == null) {
                throw new GeneralSecurityException("no PEM private key in the key file");
            }
            checkKeyMatches(chain[0], key);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("cannot use TLS certificate " + certFile + " and key " + keyFile
                    + " (a PEM certificate chain and its PKCS#8 key): " + e.getMessage(), e);
        }
        Optional<X509Certificate[]> cas = Optional.empty();
        if (clientCaFile.isPresent()) {
            try {
                X509Certificate[] read = CertificateUtils.getX509Certificates(
                        new ByteArrayInputStream(contents.get(2)));
                if (read.length == 0) {
                    throw new GeneralSecurityException("no PEM certificate in it");
                }
                cas = Optional.of(read);
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new IllegalArgumentException("cannot use client CA file " + clientCaFile.get() + ": "
                        + e.getMessage(), e);
            }
        }
        if (cas.isPresent()) {
            try {
                clientCas.orElseThrow().updateTrustCredentials(cas.get());
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot use client CA file " + clientCaFile.get() + ": "
                        + e.getMessage(), e);
            }
        }
        identity.updateIdentityCredentials(chain, key);
    }

    /**
     * A certificate caught mid-rotation, with the old key, would fail every handshake: sign with the key and
     * verify with the certificate before serving them.
     */
    private static void checkKeyMatches(X509Certificate certificate, PrivateKey key) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        byte[] probe = "externalmetrics".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(probe);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the key does not belong to the certificate "
                    + certificate.getSubjectX500Principal().getName());
        }
    }

    /**
     * Checks client certificates with the current CAs, but names none in the handshake. Netty's OpenSSL
     * engine reads the CAs to name once, when the server starts: after a rotation it would go on naming
     * the old CA, and a client that picks its certificate by the names (the JDK's key managers do) would
     * present none. Naming none lets every client present its certificate (RFC 8446, section 4.2.4).
     */
    private static final class NamingNoCas extends X509ExtendedTrustManager {

        private final AdvancedTlsX509TrustManager cas;

        NamingNoCas(AdvancedTlsX509TrustManager cas) {
            this.cas = cas;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            cas.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            cas.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            cas.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            cas.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            cas.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            cas.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    private static boolean same(List<byte[]> a, List<byte[]> b) {
        if (b == null || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) { // two nulls are equal: a file still unreadable
                return false;
            }
        }
        return true;
    }
}
