package io.externalmetrics.adapter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.testing.TestPki;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderTlsConfigTest {

    @TempDir
    Path dir;

    private final TestPki.Issued ca = TestPki.ca("CA");

    private static ProviderConfig load(String tls) {
        return ConfigLoader.parse("""
                providers:
                  - name: p
                    target: 127.0.0.1:50051
                    tls: %s
                """.formatted(tls)).providers().getFirst();
    }

    private static String quoted(Path file) {
        return "'" + file + "'";
    }

    @Test
    void load_withoutTls_isPlaintext() {
        assertThat(ConfigLoader.parse("providers: [{name: p, target: '127.0.0.1:1'}]").providers().getFirst().tls())
                .isEmpty();
    }

    @Test
    void load_tlsWithoutSettings_isTlsWithTheDefaultTrust_neverPlaintext() {
        ProviderTls defaults = new ProviderTls(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(load("{}").tls()).contains(defaults);
        assertThat(ConfigLoader.parse("""
                providers:
                  - name: p
                    target: 127.0.0.1:50051
                    tls:
                """).providers().getFirst().tls()).contains(defaults);
    }

    @Test
    void load_everyField_isRead() {
        Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        TestPki.Issued client = ca.issue("adapter");
        Path certFile = client.writeCertificate(dir.resolve("client.crt"));
        Path keyFile = client.writeKey(dir.resolve("client.key"));

        ProviderConfig config = load("{caFile: %s, certFile: %s, keyFile: %s, serverName: provider.example}"
                .formatted(quoted(caFile), quoted(certFile), quoted(keyFile)));

        assertThat(config.tls()).contains(new ProviderTls(Optional.of(caFile), Optional.of(certFile),
                Optional.of(keyFile), Optional.of("provider.example")));
    }

    @Test
    void load_certFileWithoutKeyFile_namesTheField() {
        Path certFile = ca.issue("adapter").writeCertificate(dir.resolve("client.crt"));

        assertThatThrownBy(() -> load("{certFile: %s}".formatted(quoted(certFile))))
                .hasMessageStartingWith("providers[0].tls.certFile: certFile is given without keyFile");
    }

    @Test
    void load_keyFileWithoutCertFile_namesTheField() {
        Path keyFile = ca.issue("adapter").writeKey(dir.resolve("client.key"));

        assertThatThrownBy(() -> load("{keyFile: %s}".formatted(quoted(keyFile))))
                .hasMessageStartingWith("providers[0].tls.keyFile: keyFile is given without certFile");
    }

    @Test
    void load_missingCaFile_namesTheFieldAndTheFile() {
        Path missing = dir.resolve("missing-ca.crt");

        assertThatThrownBy(() -> load("{caFile: %s}".formatted(quoted(missing))))
                .hasMessage("providers[0].tls.caFile: TLS certificate file " + missing + ": file not found");
    }

    @Test
    void load_keyOfAnotherCertificate_namesTheKeyFile() {
        Path certFile = ca.issue("adapter").writeCertificate(dir.resolve("client.crt"));
        Path keyFile = ca.issue("someone else").writeKey(dir.resolve("other.key"));

        assertThatThrownBy(() -> load("{certFile: %s, keyFile: %s}".formatted(quoted(certFile), quoted(keyFile))))
                .hasMessageStartingWith("providers[0].tls.keyFile: TLS key file " + keyFile
                        + ": the EC key does not belong to the first certificate of TLS certificate file " + certFile);
    }

    @Test
    void load_serverNameWithAPort_namesTheField() {
        assertThatThrownBy(() -> load("{serverName: 'provider.example:443'}"))
                .hasMessage("providers[0].tls.serverName: \"provider.example:443\" is not a DNS name or IPv4 address "
                        + "(no port, scheme or path)");
    }

    @Test
    void load_unknownKey_listsTheKnownOnes() {
        assertThatThrownBy(() -> load("{insecure: true}"))
                .hasMessage("providers[0].tls: unknown key \"insecure\" (known keys: caFile, certFile, keyFile, "
                        + "serverName)");
    }

    @Test
    void constructor_rejectsHalfAPair_likeTheLoader() {
        assertThatThrownBy(() -> new ProviderTls(Optional.empty(), Optional.of(Path.of("c")), Optional.empty(),
                Optional.empty())).hasMessageStartingWith("tls: certFile is given without keyFile");
    }
}
