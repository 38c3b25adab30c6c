package io.externalmetrics.adapter.security;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Whether the server asks TLS clients for a certificate. When it does, the certificate is optional
 * (bearer-token callers and kubelet probes have none) and the handshake accepts any chain: TLS
 * proves the client holds the key, and the authenticators verify the chain against the CA bundle
 * current at request time ({@link ClientCaBundle}), as k8s.io/apiserver does. The CAs named in the
 * certificate request (so that clients such as Go's pick a matching certificate) are read from
 * {@code acceptedIssuers} at each handshake, so they follow CA rotations too.
 *
 * @param requested       whether a certificate is asked for at all
 * @param acceptedIssuers the CAs to name in the request
 */
public record ClientCertificates(boolean requested, Supplier<List<X509Certificate>> acceptedIssuers) {

    /** No certificate asked for. */
    public static final ClientCertificates NONE = new ClientCertificates(false, List::of);

    public ClientCertificates {
        Objects.requireNonNull(acceptedIssuers, "acceptedIssuers");
    }

    /** A certificate asked for, optional, with these CAs named. */
    public static ClientCertificates optional(Supplier<List<X509Certificate>> acceptedIssuers) {
        return new ClientCertificates(true, acceptedIssuers);
    }
}
