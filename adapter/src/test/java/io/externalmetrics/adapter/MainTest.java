package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws InterruptedException {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void help_printsUsageAndExitsZero() throws Exception {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: externalmetrics-adapter --config FILE",
                "target: 127.0.0.1:50051");
    }

    @Test
    void noConfig_isAUsageError() throws Exception {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("--config FILE is required");
    }

    @Test
    void unknownArgument_isNamed() throws Exception {
        assertThat(run("--port", "1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("unknown argument \"--port\"");
    }

    @Test
    void invalidConfig_namesTheFileAndField(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("adapter.yaml"), "providers:\n  - name: example\n");

        assertThat(run("--config", file.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("invalid configuration: " + file + ": providers[0].target: required\n");
    }

    @Test
    @Timeout(30) // before the fix, Main printed "serving" and waited for ever
    void portInUse_isAFailureToStart_notAnAdapterServingNothing(@TempDir Path dir) throws Exception {
        try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path file = Files.writeString(dir.resolve("adapter.yaml"), """
                    server: {address: 127.0.0.1, port: %d}
                    providers: [{name: example, target: '127.0.0.1:1'}]
                    """.formatted(taken.getLocalPort()));

            assertThat(run("--config", file.toString())).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .startsWith("cannot start: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                            + " (is the port in use");
            assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("serving");
        }
    }

    @Test
    void targetGrpcCannotUse_isAConfigurationErrorNotAStackTrace(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("adapter.yaml"),
                "providers:\n  - name: example\n    target: 'foo bar:1'\n");

        assertThat(run("--config", file.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("invalid configuration: " + file + ": providers[0].target: \"foo bar:1\" is not a target")
                .doesNotContain("Exception");
    }

    @Test
    @Timeout(30)
    void dnsNameTheSelfSignedCertificateCannotHold_isAFailureToStartNamingIt(@TempDir Path dir) throws Exception {
        // the certificate is made on a thread of its own while the providers start: its failure still ends the start
        Path file = Files.writeString(dir.resolve("adapter.yaml"), """
                server: {address: 127.0.0.1, port: 0, dnsNames: ['not a name']}
                providers: [{name: example, target: '127.0.0.1:1'}]
                """);

        assertThat(run("--config", file.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("cannot start: 'not a name' is neither a DNS name "
                + "nor an IP address, so it cannot go into the self-signed serving certificate\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("serving");
    }
}
