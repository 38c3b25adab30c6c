package io.externalmetrics.adapter.testing;

import static io.externalmetrics.adapter.testing.TestAdapter.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** kubectl, a real Kubernetes client, pointed at the adapter. {@code KUBECTL} overrides /usr/bin/kubectl. */
public record Kubectl(Path dir, Path kubeconfig, String binary) {

    /** Writes, into {@code dir}, a kubeconfig for the adapter on 127.0.0.1:{@code port} with the token test-token. */
    public Kubectl(Path dir, int port) throws IOException {
        this(dir, Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                  - {name: adapter, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}
                users: [{name: tester, user: {token: test-token}}]
                contexts: [{name: adapter, context: {cluster: adapter, user: tester}}]
                current-context: adapter
                """.formatted(port)), System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl"));
    }

    /** {@code kubectl get --raw path}, which must succeed, its output as JSON. */
    public JsonNode getRaw(String path) throws Exception {
        if (!Files.isExecutable(Path.of(binary))) {
            throw new AssertionError("kubectl is missing at " + binary + ": install it or set KUBECTL");
        }
        List<String> command = new ArrayList<>(List.of(binary, "--kubeconfig", kubeconfig.toString(),
                "--request-timeout=10s", "get", "--raw", path));
        Path out = dir.resolve("kubectl.out");
        Path err = dir.resolve("kubectl.err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kubectl get --raw " + path + " did not finish in 30s");
        }
        assertThat(process.exitValue()).as("kubectl get --raw %s: %s", path,
                Files.readString(err, StandardCharsets.UTF_8)).isZero();
        return json(Files.readString(out, StandardCharsets.UTF_8));
    }
}
