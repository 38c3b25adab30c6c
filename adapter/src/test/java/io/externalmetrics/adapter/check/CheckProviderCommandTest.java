package io.externalmetrics.adapter.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.Main;
import io.externalmetrics.adapter.testing.Closer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check-provider} as a user runs it: the adapter's main class in a JVM of its own, as
 * {@code bin/externalmetrics-adapter} and {@code java -jar} start it, and the process's exit code.
 */
@Timeout(120)
class CheckProviderCommandTest {

    @RegisterExtension
    final Closer closer = new Closer();

    @TempDir
    Path dir;

    /** The process's exit code and its standard output. */
    private record Ran(int exit, String out, String err) {
    }

    private Ran run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString(), "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "check-provider"));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("check-provider did not exit within 60s; its output:\n"
                    + Files.readString(out, StandardCharsets.UTF_8));
        }
        return new Ran(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void contractKept_exitsZero() throws Exception {
        ContractProvider provider = closer.register(new ContractProvider().start());

        Ran ran = run(provider.target());

        assertThat(ran.exit()).as(ran.out() + ran.err()).isZero();
        assertThat(ran.out()).contains("PASS  reply").endsWith(" passed, 0 warnings, 0 failed\n");
    }

    @Test
    void aRuleBroken_exitsOne() throws Exception {
        ContractProvider provider = closer.register(new ContractProvider()
                .replyingToM(r -> r.setValue(Double.NaN)).start());

        Ran ran = run(provider.target());

        assertThat(ran.exit()).as(ran.out() + ran.err()).isEqualTo(1);
        assertThat(ran.out()).containsPattern("(?m)^FAIL  reply-finite +\\*/m: ").endsWith(" 1 failed (exit code 1)\n");
    }

    @Test
    void nothingListening_exitsTwo() throws Exception {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }

        Ran ran = run("127.0.0.1:" + port, "--json");

        assertThat(ran.exit()).as(ran.out() + ran.err()).isEqualTo(2);
        assertThat(ran.out()).contains("\"connected\":false", "\"exitCode\":2");
    }
}
