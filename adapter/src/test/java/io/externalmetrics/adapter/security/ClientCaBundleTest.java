package io.externalmetrics.adapter.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.adapter.testing.TestPki.Issued;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client chains verified as Go's x509.Verify with ExtKeyUsageClientAuth verifies them. */
class ClientCaBundleTest {

    private final Issued ca = TestPki.ca("ca");
    private final ClientCaBundle bundle = ClientCaBundle.of(List.of(ca.certificate()));
    private final Instant now = Instant.now();

    @Test
    void verify_leafSignedByTheCa_withOrWithoutClientAuthUsage() {
        Issued plain = ca.issueClient("CN=plain");
        Issued client = ca.issueClient("CN=client", KeyPurposeId.id_kp_clientAuth);
        Issued any = ca.issueClient("CN=any", KeyPurposeId.anyExtendedKeyUsage);

        assertThat(bundle.verify(List.of(plain.certificate()), now)).contains(plain.certificate());
        assertThat(bundle.verify(List.of(client.certificate()), now)).contains(client.certificate());
        assertThat(bundle.verify(List.of(any.certificate()), now)).contains(any.certificate());
    }

    @Test
    void verify_throughAnIntermediateTheClientSent() {
        Issued intermediate = TestPki.intermediate("intermediate", ca);
        Issued leaf = intermediate.issueClient("CN=leaf");

        assertThat(bundle.verify(List.of(leaf.certificate(), intermediate.certificate()), now))
                .contains(leaf.certificate());
        assertThat(bundle.verify(List.of(leaf.certificate()), now)).isEmpty();
    }

    @Test
    void verify_refusesAnotherCaAServerOnlyUsageAnExpiredLeafAndNothing() {
        Issued otherCa = TestPki.ca("ca"); // the same name, another key
        Issued stranger = otherCa.issueClient("CN=stranger");
        Issued serverOnly = ca.issueClient("CN=server", KeyPurposeId.id_kp_serverAuth);
        Issued expired = TestPki.client("CN=old", ca, now.minus(Duration.ofDays(2)), Duration.ofDays(1));

        assertThat(bundle.verify(List.of(stranger.certificate()), now)).isEmpty();
        assertThat(bundle.verify(List.of(serverOnly.certificate()), now)).isEmpty();
        assertThat(bundle.verify(List.of(expired.certificate()), now)).isEmpty();
        assertThat(bundle.verify(List.of(), now)).isEmpty();
    }

    @Test
    void verify_refusesALeafFromAnExpiredCa_asGoDoes() {
        // the CA is valid for a day; a leaf valid two days from now is checked then, when the CA has expired
        Instant later = now.plus(Duration.ofDays(2));
        Issued late = TestPki.client("CN=late", ca, later.minus(Duration.ofHours(1)), Duration.ofDays(1));

        assertThat(bundle.verify(List.of(late.certificate()), later)).isEmpty();
    }

    @Test
    void parse_readsPemText_andNamesItsSourceInAProblem() {
        String pem = TestPki.pem(ca.certificate());

        assertThat(ClientCaBundle.parse(pem, "ConfigMap key requestheader-client-ca-file")).isEqualTo(bundle);
        assertThatThrownBy(() -> ClientCaBundle.parse("nothing here", "ConfigMap key requestheader-client-ca-file"))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("ConfigMap key requestheader-client-ca-file: no certificate found");
    }

    @Test
    void read_namesTheFileOfAProblem(@TempDir Path dir) {
        Path missing = dir.resolve("missing.crt");

        assertThatThrownBy(() -> ClientCaBundle.read(missing))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining(missing.toString());
        assertThat(ClientCaBundle.read(ca.writeCertificate(dir.resolve("ca.crt")))).isEqualTo(bundle);
    }
}
