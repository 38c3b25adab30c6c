package io.externalmetrics.adapter.auth;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/** The subject names Kubernetes reads from a client certificate: common name and organizations. */
final class CertificateNames {

    private CertificateNames() {
    }

    /** The subject's common name, as Go's {@code pkix.Name.CommonName} has it (the last one); empty when none. */
    static Optional<String> commonName(X509Certificate certificate) {
        List<String> names = values(certificate, BCStyle.CN);
        return names.isEmpty() ? Optional.empty() : Optional.of(names.getLast());
    }

    /** The subject's organizations, in order. */
    static List<String> organizations(X509Certificate certificate) {
        return values(certificate, BCStyle.O);
    }

    private static List<String> values(X509Certificate certificate, ASN1ObjectIdentifier type) {
        X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        RDN[] rdns = subject.getRDNs(type);
        return Arrays.stream(rdns)
                .flatMap(rdn -> Arrays.stream(rdn.getTypesAndValues()))
                .filter(value -> value.getType().equals(type))
                .map(value -> value.getValue() instanceof ASN1String s ? s.getString() : value.getValue().toString())
                .toList();
    }
}
