package io.externalmetrics.adapter;

import static io.externalmetrics.adapter.testing.TestAdapter.VALUES;
import static io.externalmetrics.adapter.testing.TestAdapter.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubectl, a real Kubernetes client (client-go), reads the running adapter with {@code get --raw}.
 * Fails, never skips, when kubectl is missing: {@code KUBECTL} overrides {@code /usr/bin/kubectl}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubectlEndToEndTest {

    private Path dir;
    private RunningAdapter running;
    private Path kubeconfig;
    private String kubectl;

    @BeforeAll
    void start(@TempDir Path tempDir) throws IOException {
        dir = tempDir;
        kubectl = System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl");
        if (!Files.isExecutable(Path.of(kubectl))) {
            throw new AssertionError("kubectl is missing at " + kubectl + ": install it (e.g. apt-get install kubectl, "
                    + "or Debian's kubernetes-client) or set KUBECTL to its path; this test needs a real Kubernetes "
                    + "client");
        }
        running = new RunningAdapter();
        // kubectl asks for a user name without credentials; the adapter does not authenticate yet
        kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: adapter, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
                users: [{name: tester, user: {token: test-token}}]
                contexts: [{name: adapter, context: {cluster: adapter, user: tester}}]
                current-context: adapter
                """.formatted(running.adapter.port()));
    }

    @AfterAll
    void stop() {
        if (running != null) {
            running.close();
        }
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private Result kubectl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(kubectl, "--kubeconfig", kubeconfig.toString(),
                "--request-timeout=10s"));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 30s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private JsonNode getRaw(String path) throws Exception {
        Result result = kubectl("get", "--raw", path);
        assertThat(result.exitCode()).as("kubectl get --raw %s: %s", path, result.stderr()).isZero();
        return json(result.stdout());
    }

    @Test
    void getRaw_discovery_readsTheResourceList() throws Exception {
        JsonNode resources = getRaw("/apis/external.metrics.k8s.io/v1beta1");

        assertThat(resources.get("groupVersion").asText()).isEqualTo("external.metrics.k8s.io/v1beta1");
        assertThat(resources.at("/resources/0/kind").asText()).isEqualTo("ExternalMetricValueList");
    }

    @Test
    void getRaw_values_readsBaseAndSelectedSeries() throws Exception {
        JsonNode base = getRaw(VALUES + "default/incrementable");
        JsonNode b = getRaw(VALUES + "default/incrementable?labelSelector=some-key%3DB");
        JsonNode ac = getRaw(VALUES + "other/incrementable?labelSelector=some-key+in+(A,C)");

        assertThat(base.at("/items/0/value").asText()).isEqualTo("1500m");
        assertThat(b.at("/items/0/metricLabels/some-key").asText()).isEqualTo("B");
        assertThat(b.at("/items/0/value").asText()).isEqualTo("2k");
        assertThat(ac.get("items").valueStream().map(i -> i.get("value").asText()))
                .containsExactlyInAnyOrder("1500m", "-3");
    }

    @Test
    void getRaw_unknownMetric_showsOurStatusMessage() throws Exception {
        Result result = kubectl("get", "--raw", VALUES + "default/nope");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("NotFound", "nope", "no such metric is served by any provider");
    }
}
