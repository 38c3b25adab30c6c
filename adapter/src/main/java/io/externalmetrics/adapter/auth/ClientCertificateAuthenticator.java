package io.externalmetrics.adapter.auth;

import io.externalmetrics.adapter.security.ClientCaBundle;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Ordinary client certificates, as k8s.io/apiserver's x509 authenticator reads them: a chain that
 * verifies against the client CA (the bundle current now, as the file rotates) authenticates its
 * common name as the user and its organizations as the groups. A certificate without a common name,
 * or from another CA, authenticates nobody.
 */
public final class ClientCertificateAuthenticator implements RequestAuthenticator {

    private final Supplier<ClientCaBundle> ca;
    private final Clock clock;

    public ClientCertificateAuthenticator(Supplier<ClientCaBundle> ca, Clock clock) {
        this.ca = Objects.requireNonNull(ca, "ca");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Optional<UserInfo> authenticate(AuthRequest request) {
        if (request.peerCertificates().isEmpty()) {
            return Optional.empty();
        }
        Optional<X509Certificate> leaf = ca.get().verify(request.peerCertificates(), clock.instant());
        if (leaf.isEmpty()) {
            return Optional.empty();
        }
        return CertificateNames.commonName(leaf.get())
                .filter(name -> !name.isEmpty())
                .map(name -> UserInfo.of(name, CertificateNames.organizations(leaf.get())));
    }
}
