package io.externalmetrics.adapter.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A PEM certificate chain and its private key.
 *
 * @param certFile the certificate chain, leaf first
 * @param keyFile  the private key (PKCS#8, PKCS#1 or SEC1 PEM)
 */
public record TlsFiles(Path certFile, Path keyFile) {

    public TlsFiles {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
    }
}
