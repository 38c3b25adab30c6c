package io.externalmetrics.adapter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.externalmetrics.adapter.testing.LogRecords;
import io.externalmetrics.adapter.testing.TestPki;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void load_tlsToAUnixSocketWithoutServerName_failsNamingTheField_withOneItLoads() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                providers:
                  - name: p
                    target: unix:///run/provider.sock
                    tls: {}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("providers[0].tls.serverName: required with tls to a unix: target "
                        + "(\"unix:///run/provider.sock\"): without it gRPC checks the provider's certificate against "
                        + "the socket's path");

        assertThat(ConfigLoader.parse("""
                providers:
                  - name: p
                    target: unix:///run/provider.sock
                    tls: {serverName: provider.local}
                """).providers().getFirst().tls().orElseThrow().serverName()).contains("provider.local");
        assertThat(ConfigLoader.parse("providers: [{name: p, target: 'unix:///run/provider.sock'}]").providers())
                .hasSize(1);
    }

    @Test
    void load_plaintextOffThisMachine_isAWarningNamingProviderAndTarget_oncePerLoad() {
        String yaml = """
                providers:
                  - {name: remote, target: '10.0.0.5:50051'}
                  - {name: by-name, target: 'dns:///provider.monitoring.svc:50051'}
                  - {name: with-tls, target: '10.0.0.6:50051', tls: {}}
                  - {name: loopback, target: '127.0.0.1:50051'}
                  - {name: loopback-8, target: '127.0.0.2:50051'}
                  - {name: localhost, target: 'localhost:50051'}
                  - {name: localhost-dns, target: 'dns:///localhost:50051'}
                  - {name: ipv6-loopback, target: '[::1]:50051'}
                  - {name: socket, target: 'unix:///run/provider.sock'}
                """;
        List<String> warnings;
        try (LogRecords log = LogRecords.of(ConfigLoader.class.getName())) {
            ConfigLoader.parse(yaml);
            ConfigLoader.parse(yaml);
            warnings = log.atLeast(java.util.logging.Level.WARNING);
        }

        String remote = "provider \"remote\" is reached in plaintext at 10.0.0.5:50051, off this machine: its values "
                + "cross the network unencrypted and unauthenticated; give it tls (see providers[].tls) unless the "
                + "network between them is private";
        String byName = remote.replace("\"remote\"", "\"by-name\"")
                .replace("10.0.0.5:50051", "dns:///provider.monitoring.svc:50051");
        assertThat(warnings).containsExactly(remote, byName, remote, byName);
    }
}
