package io.externalmetrics.adapter;

import static io.externalmetrics.adapter.testing.TestAdapter.VALUES;
import static io.externalmetrics.adapter.testing.TestAdapter.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.auth.Attributes;
import io.externalmetrics.adapter.auth.UserInfo;
import io.externalmetrics.adapter.cache.ReadResult;
import io.externalmetrics.adapter.config.ConfigLoader;
import io.externalmetrics.adapter.testing.Await;
import io.externalmetrics.adapter.testing.FakeKubernetes;
import io.externalmetrics.adapter.testing.FakeKubernetes.Review;
import io.externalmetrics.adapter.testing.TestAdapter;
import io.externalmetrics.adapter.testing.TestPki;
import io.externalmetrics.adapter.testing.TestPki.Issued;
import io.externalmetrics.adapter.testing.TestPki.KeyFormat;
import io.externalmetrics.provider.MetricProviderServer;
import io.externalmetrics.provider.Namespace;
import io.externalmetrics.provider.Trigger;
import io.externalmetrics.provider.Value;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubectl (client-go) reads the adapter with a client certificate from its kubeconfig, as a user
 * calling the adapter directly does: Go's TLS client only sends a certificate whose CA the server
 * names in its request, so this also proves the adapter names its client CA. Fails, never skips,
 * when kubectl is missing: {@code KUBECTL} overrides {@code /usr/bin/kubectl}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubectlClientCertificateTest {

    private final Issued clientCa = TestPki.ca("client-ca");
    private final FakeKubernetes kubernetes = new FakeKubernetes(Set.of("jane"));
    private Path dir;
    private String kubectl;
    private MetricProviderServer provider;
    private TestAdapter adapter;

    @BeforeAll
    void start(@TempDir Path tempDir) {
        dir = tempDir;
        kubectl = System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl");
        if (!Files.isExecutable(Path.of(kubectl))) {
            throw new AssertionError("kubectl is missing at " + kubectl + ": install it or set KUBECTL to its path");
        }
        provider = MetricProviderServer.builder()
                .port(0)
                .addMetric(Namespace.ALL, "queue-depth", Trigger.every(Duration.ofSeconds(10)),
                        request -> Value.of(1.5))
                .build()
                .start();
        Path ca = clientCa.writeCertificate(dir.resolve("client-ca.crt"));
        adapter = TestAdapter.start(ConfigLoader.parse("""
                server: {address: 127.0.0.1, port: 0}
                providers: [{name: example, target: "127.0.0.1:%d", deadline: 5s}]
                authentication: {clientCAFile: %s}
                """.formatted(provider.port(), ca)), kubernetes);
        Await.until("the metric to have a value", Duration.ofSeconds(30),
                () -> adapter.cache().read("default", "queue-depth", Optional.empty()) instanceof ReadResult.Found);
    }

    @AfterAll
    void stop() {
        if (adapter != null) {
            adapter.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void getRaw_withAClientCertificate_readsTheValueAsThatUser() throws Exception {
        Path kubeconfig = kubeconfig("jane", clientCa.issueClient("CN=jane,O=sre", KeyPurposeId.id_kp_clientAuth));

        Result result = kubectl(kubeconfig, "get", "--raw", VALUES + "default/queue-depth");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(json(result.stdout()).at("/items/0/value").asText()).isEqualTo("1500m");
        assertThat(kubernetes.reviews()).contains(new Review(UserInfo.of("jane", List.of("sre")),
                new Attributes.Resource("list", "external.metrics.k8s.io", "v1beta1", "queue-depth", "default")));
    }

    @Test
    void getRaw_asADeniedUser_showsTheForbiddenMessage() throws Exception {
        Path kubeconfig = kubeconfig("eve", clientCa.issueClient("CN=eve", KeyPurposeId.id_kp_clientAuth));

        Result result = kubectl(kubeconfig, "get", "--raw", VALUES + "default/queue-depth");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("Forbidden", "User \"eve\" cannot list resource \"queue-depth\"");
    }

    @Test
    void getRaw_withACertificateFromAnotherCa_isUnauthorized() throws Exception {
        // the same name as the trusted CA, another key: kubectl (Go) only sends a certificate whose issuer the
        // server names, so this one is sent, and refused on its signature, not for being absent
        Path kubeconfig = kubeconfig("mallory", TestPki.ca("client-ca").issueClient("CN=jane"));

        Result result = kubectl(kubeconfig, "get", "--raw", VALUES + "default/queue-depth");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("Unauthorized");
    }

    private Path kubeconfig(String name, Issued identity) throws Exception {
        Base64.Encoder base64 = Base64.getEncoder();
        String ca = base64.encodeToString(adapter.certificatePem().getBytes(StandardCharsets.US_ASCII));
        String cert = base64.encodeToString(TestPki.pem(identity.certificate()).getBytes(StandardCharsets.US_ASCII));
        String key = base64.encodeToString(TestPki.keyPem(identity.keyPair().getPrivate(), KeyFormat.PKCS8)
                .getBytes(StandardCharsets.US_ASCII));
        return Files.writeString(dir.resolve(name + ".kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: adapter, cluster: {server: "https://127.0.0.1:%d", certificate-authority-data: %s}}]
                users: [{name: %s, user: {client-certificate-data: %s, client-key-data: %s}}]
                contexts: [{name: adapter, context: {cluster: adapter, user: %s}}]
                current-context: adapter
                """.formatted(adapter.port(), ca, name, cert, key, name));
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private Result kubectl(Path kubeconfig, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(kubectl, "--kubeconfig", kubeconfig.toString(),
                "--request-timeout=10s"));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 30s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
