package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.config.AdapterConfig;
import io.externalmetrics.adapter.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Renders every kustomization under {@code deploy/} with {@code kubectl kustomize} and checks that
 * what must line up does: the Service reaches the adapter's port, the APIService the Service, the
 * probes and the configuration the adapter's own paths and loader, and the RBAC and security context
 * are what an aggregated API server needs. Fails, never skips, without kubectl ({@code KUBECTL}
 * overrides {@code /usr/bin/kubectl}).
 */
class DeployManifestsTest {

    private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    private static final String ADAPTER_CONTAINER = "externalmetrics-adapter";
    private static final String SERVICE_ACCOUNT = "externalmetrics-adapter";
    private static final String NAMESPACE = "externalmetrics";

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/self-signed", "overlays/cert-manager", "examples/own-deployment"})
    void everyInstallLinesUp(String kustomization) throws Exception {
        var objects = new Rendered(render(kustomization));

        Map<String, Object> deployment = objects.deploymentWithAdapter();
        Map<String, Object> podSpec = map(map(map(deployment, "spec"), "template"), "spec");
        Map<String, Object> podLabels = map(map(map(map(deployment, "spec"), "template"), "metadata"), "labels");
        Map<String, Object> adapter = list(podSpec, "containers").stream().map(DeployManifestsTest::asMap)
                .filter(c -> ADAPTER_CONTAINER.equals(c.get("name"))).findFirst().orElseThrow();
        Map<String, Object> httpsPort = list(adapter, "ports").stream().map(DeployManifestsTest::asMap)
                .filter(p -> "https".equals(p.get("name"))).findFirst().orElseThrow();

        // the configuration the container is started with is valid, and serves on the container's port
        AdapterConfig config = ConfigLoader.parse(objects.adapterConfigText(podSpec, adapter));
        assertThat(httpsPort.get("containerPort")).isEqualTo(config.server().port());
        // behind the aggregation layer: the front proxy from the cluster, tokens and access reviewed
        var authentication = config.security().authentication().orElseThrow();
        assertThat(authentication.requestHeader().orElseThrow().fromCluster()).isTrue();
        assertThat(authentication.tokenReview()).isTrue();
        assertThat(config.security().authorization().mode().name()).isEqualTo("SUBJECT_ACCESS_REVIEW");
        assertThat(config.security().kubernetes().kubeconfig()).as("in cluster: the pod's service account").isEmpty();

        // the Service selects the pods carrying the adapter and forwards to its port
        Map<String, Object> service = objects.one("Service", "externalmetrics-adapter");
        assertThat(meta(service, "namespace")).isEqualTo(meta(deployment, "namespace"));
        assertThat(podLabels).containsAllEntriesOf(map(map(service, "spec"), "selector"));
        Map<String, Object> servicePort = asMap(list(map(service, "spec"), "ports").getFirst());
        assertThat(servicePort.get("port")).isEqualTo(443);
        assertThat(servicePort.get("targetPort")).isIn("https", config.server().port());

        // the APIService points at that Service
        Map<String, Object> apiService = objects.one("APIService", "v1beta1.external.metrics.k8s.io");
        Map<String, Object> apiSpec = map(apiService, "spec");
        assertThat(apiSpec).containsEntry("group", "external.metrics.k8s.io").containsEntry("version", "v1beta1")
                .containsEntry("groupPriorityMinimum", 100).containsEntry("versionPriority", 100);
        assertThat(map(apiSpec, "service")).containsEntry("name", meta(service, "name"))
                .containsEntry("namespace", meta(service, "namespace")).containsEntry("port", servicePort.get("port"));

        // probes ask the adapter's own health paths, without credentials, on its HTTPS port
        Map<String, String> probes = Map.of("readinessProbe", "/readyz", "livenessProbe", "/livez",
                "startupProbe", "/livez");
        probes.forEach((probe, path) -> {
            Map<String, Object> get = map(map(adapter, probe), "httpGet");
            assertThat(get).as(probe).containsEntry("scheme", "HTTPS").containsEntry("port", "https")
                    .containsEntry("path", path);
            assertThat(config.security().authorization().alwaysAllowPaths()).contains(path);
        });
        // a rollout keeps serving until the kube-apiserver stops sending (then SIGTERM drains reads)
        assertThat(map(map(map(adapter, "lifecycle"), "preStop"), "sleep")).containsKey("seconds");
        // the pod-level security context is the user's: the component sets it on its container only
        assertThat(podSpec).doesNotContainKey("securityContext");

        // every provider the adapter is configured with is on loopback, in a port a container of the pod names
        // (the example's --port, or the user's own workload)
        for (var provider : config.providers()) {
            assertThat(provider.target()).startsWith("127.0.0.1:");
        }
        list(podSpec, "containers").stream().map(DeployManifestsTest::asMap)
                .filter(c -> !ADAPTER_CONTAINER.equals(c.get("name")) && c.get("args") instanceof List<?>)
                .forEach(c -> {
                    List<Object> args = list(c, "args");
                    if (args.contains("--port")) {
                        String port = (String) args.get(args.indexOf("--port") + 1);
                        assertThat(config.providers()).extracting(p -> p.target())
                                .contains("127.0.0.1:" + port);
                    }
                });

        // locked down: non-root, read-only root, no escalation, no capabilities, the runtime's seccomp profile
        Map<String, Object> security = map(adapter, "securityContext");
        assertThat(security).containsEntry("runAsNonRoot", true).containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat(list(map(security, "capabilities"), "drop")).containsExactly("ALL");
        assertThat(map(security, "seccompProfile")).containsEntry("type", "RuntimeDefault");
        assertThat(map(map(adapter, "resources"), "limits")).containsKey("memory");

        // RBAC: the pod's ServiceAccount may review tokens and access, and read the front proxy's CA
        assertThat(podSpec.get("serviceAccountName")).isEqualTo(SERVICE_ACCOUNT);
        assertThat(meta(objects.one("ServiceAccount", SERVICE_ACCOUNT), "namespace")).isEqualTo(NAMESPACE);
        assertThat(objects.bindingsOf("ClusterRoleBinding", "ClusterRole", "system:auth-delegator"))
                .contains(NAMESPACE + "/" + SERVICE_ACCOUNT);
        assertThat(objects.bindingsOf("RoleBinding", "Role", "extension-apiserver-authentication-reader"))
                .contains("kube-system:" + NAMESPACE + "/" + SERVICE_ACCOUNT);
        // and the HPA controller may read external metrics
        String readerRole = objects.all("ClusterRole").stream()
                .filter(role -> list(role, "rules").stream().map(DeployManifestsTest::asMap).anyMatch(rule ->
                        rule.getOrDefault("apiGroups", List.of()).equals(List.of("external.metrics.k8s.io"))
                                && list(rule, "resources").contains("*")
                                && list(rule, "verbs").containsAll(List.of("get", "list"))))
                .map(role -> meta(role, "name")).findFirst().orElseThrow();
        assertThat(objects.bindingsOf("ClusterRoleBinding", "ClusterRole", readerRole))
                .contains("kube-system/horizontal-pod-autoscaler");
        // roles for a scraper of /metrics and for debugging reads, non-resource paths authorized like any other
        assertThat(objects.all("ClusterRole")).anySatisfy(role -> assertThat(list(role, "rules"))
                .anySatisfy(rule -> assertThat(asMap(rule)).containsEntry("nonResourceURLs", List.of("/metrics"))
                        .containsEntry("verbs", List.of("get"))));
        assertThat(objects.all("ClusterRole")).anySatisfy(role -> assertThat(list(role, "rules"))
                .anySatisfy(rule -> assertThat(asMap(rule)).containsEntry("nonResourceURLs",
                        List.of("/debug", "/debug/*", "/metrics")).containsEntry("verbs", List.of("get"))));

        Map<String, Object> budget = objects.one("PodDisruptionBudget", "externalmetrics-adapter");
        assertThat(podLabels).containsAllEntriesOf(map(map(map(budget, "spec"), "selector"), "matchLabels"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/self-signed", "examples/own-deployment"})
    void selfSignedInstallsSkipVerificationAndNameTheServiceInTheCertificate(String kustomization)
            throws Exception {
        var objects = new Rendered(render(kustomization));
        assertThat(map(objects.one("APIService", "v1beta1.external.metrics.k8s.io"), "spec"))
                .containsEntry("insecureSkipTLSVerify", true);
        Map<String, Object> podSpec = map(map(map(objects.deploymentWithAdapter(), "spec"), "template"), "spec");
        Map<String, Object> adapter = objects.adapterContainer(podSpec);
        AdapterConfig config = ConfigLoader.parse(objects.adapterConfigText(podSpec, adapter));
        assertThat(config.server().tls()).isEmpty();
        assertThat(config.server().dnsNames()).contains("externalmetrics-adapter.externalmetrics.svc");
    }

    @Test
    void certManagerInstallServesTheIssuedCertificateAndInjectsItsCa() throws Exception {
        var objects = new Rendered(render("overlays/cert-manager"));
        Map<String, Object> certificate = objects.one("Certificate", "externalmetrics-adapter");
        Map<String, Object> apiService = objects.one("APIService", "v1beta1.external.metrics.k8s.io");
        assertThat(map(apiService, "spec")).doesNotContainKey("insecureSkipTLSVerify");
        // the APIService trusts a CA, and the serving certificate is issued by that CA: a renewal of the
        // serving certificate changes nothing the kube-apiserver holds
        String injected = (String) map(map(apiService, "metadata"), "annotations")
                .get("cert-manager.io/inject-ca-from");
        Map<String, Object> ca = objects.one("Certificate", injected.substring(injected.indexOf('/') + 1));
        assertThat(map(ca, "spec")).containsEntry("isCA", true);
        assertThat(meta(ca, "namespace")).isEqualTo(injected.substring(0, injected.indexOf('/')));
        Map<String, Object> issuer = objects.one("Issuer",
                (String) map(map(certificate, "spec"), "issuerRef").get("name"));
        assertThat(map(map(issuer, "spec"), "ca")).containsEntry("secretName", map(ca, "spec").get("secretName"));
        assertThat(list(map(certificate, "spec"), "dnsNames")).contains("externalmetrics-adapter.externalmetrics.svc");

        Map<String, Object> podSpec = map(map(map(objects.deploymentWithAdapter(), "spec"), "template"), "spec");
        Map<String, Object> adapter = objects.adapterContainer(podSpec);
        AdapterConfig config = ConfigLoader.parse(objects.adapterConfigText(podSpec, adapter));
        Path certFile = config.server().tls().orElseThrow().certFile();
        Map<String, Object> mount = Rendered.mountHolding(adapter, certFile.toString());
        Map<String, Object> volume = Rendered.volume(podSpec, (String) mount.get("name"));
        assertThat(map(volume, "secret")).containsEntry("secretName", map(certificate, "spec").get("secretName"));
        assertThat(config.server().tls().orElseThrow().keyFile().getParent()).isEqualTo(certFile.getParent());
    }

    @Test
    void theHpaExample_readsTheExampleMetricForTheExampleDeployment() throws Exception {
        var yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        Map<String, Object> hpa = asMap(yaml.load(Files.readString(DEPLOY.resolve("examples/hpa.yaml"))));
        var objects = new Rendered(render("base"));
        Map<String, Object> spec = map(hpa, "spec");
        assertThat(hpa).containsEntry("apiVersion", "autoscaling/v2");
        Map<String, Object> target = map(spec, "scaleTargetRef");
        assertThat(objects.one("Deployment", (String) target.get("name"))).isNotNull();
        assertThat(meta(hpa, "namespace")).isEqualTo(NAMESPACE);
        Map<String, Object> external = map(asMap(list(spec, "metrics").getFirst()), "external");
        assertThat(asMap(list(spec, "metrics").getFirst())).containsEntry("type", "External");
        assertThat(map(external, "metric")).containsEntry("name", "incrementable");
        assertThat(map(map(map(external, "metric"), "selector"), "matchLabels")).containsEntry("some-key", "B");
        assertThat(map(external, "target")).containsEntry("type", "AverageValue");
    }

    private static List<Map<String, Object>> render(String kustomization) throws Exception {
        String kubectl = System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl");
        if (!Files.isExecutable(Path.of(kubectl))) {
            throw new AssertionError("kubectl is missing at " + kubectl + ": install it or set KUBECTL");
        }
        Path out = Files.createTempFile("kustomize", ".yaml");
        Path err = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(kubectl, "kustomize", DEPLOY.resolve(kustomization).toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + kustomization + " did not finish in 60s");
            }
            assertThat(process.exitValue()).as("kubectl kustomize %s: %s", kustomization,
                    Files.readString(err, StandardCharsets.UTF_8)).isZero();
            var yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            List<Map<String, Object>> objects = new ArrayList<>();
            for (Object document : yaml.loadAll(Files.readString(out, StandardCharsets.UTF_8))) {
                if (document != null) {
                    objects.add(asMap(document));
                }
            }
            return objects;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The rendered objects of one kustomization, looked up by kind and name. */
    private record Rendered(List<Map<String, Object>> objects) {

        List<Map<String, Object>> all(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        Map<String, Object> one(String kind, String name) {
            List<Map<String, Object>> found = all(kind).stream().filter(o -> name.equals(meta(o, "name"))).toList();
            assertThat(found).as("%s %s", kind, name).hasSize(1);
            return found.getFirst();
        }

        Map<String, Object> deploymentWithAdapter() {
            List<Map<String, Object>> found = all("Deployment").stream().filter(d -> list(map(map(map(d, "spec"),
                    "template"), "spec"), "containers").stream().map(DeployManifestsTest::asMap)
                    .anyMatch(c -> ADAPTER_CONTAINER.equals(c.get("name")))).toList();
            assertThat(found).as("Deployments with the adapter container").hasSize(1);
            return found.getFirst();
        }

        Map<String, Object> adapterContainer(Map<String, Object> podSpec) {
            return list(podSpec, "containers").stream().map(DeployManifestsTest::asMap)
                    .filter(c -> ADAPTER_CONTAINER.equals(c.get("name"))).findFirst().orElseThrow();
        }

        /** The text of the file the container's {@code --config} names, from the ConfigMap mounted there. */
        String adapterConfigText(Map<String, Object> podSpec, Map<String, Object> adapter) {
            List<Object> args = list(adapter, "args");
            String file = (String) args.get(args.indexOf("--config") + 1);
            Map<String, Object> mount = mountHolding(adapter, file);
            String key = Path.of((String) mount.get("mountPath")).relativize(Path.of(file)).toString();
            String configMapName = (String) map(volume(podSpec, (String) mount.get("name")), "configMap").get("name");
            Map<String, Object> configMap = one("ConfigMap", configMapName);
            return (String) Objects.requireNonNull(map(configMap, "data").get(key), "ConfigMap key " + key);
        }

        static Map<String, Object> mountHolding(Map<String, Object> container, String file) {
            return list(container, "volumeMounts").stream().map(DeployManifestsTest::asMap)
                    .filter(m -> Path.of(file).startsWith(Path.of((String) m.get("mountPath"))))
                    .findFirst().orElseThrow(() -> new AssertionError("no volume mounted at " + file));
        }

        static Map<String, Object> volume(Map<String, Object> podSpec, String name) {
            return list(podSpec, "volumes").stream().map(DeployManifestsTest::asMap)
                    .filter(v -> name.equals(v.get("name"))).findFirst().orElseThrow();
        }

        /** Subjects bound to {@code roleKind/roleName}: {@code ns/name}, prefixed {@code ns:} for RoleBindings. */
        List<String> bindingsOf(String bindingKind, String roleKind, String roleName) {
            return all(bindingKind).stream()
                    .filter(b -> roleKind.equals(map(b, "roleRef").get("kind"))
                            && roleName.equals(map(b, "roleRef").get("name")))
                    .flatMap(b -> list(b, "subjects").stream().map(DeployManifestsTest::asMap)
                            .filter(s -> "ServiceAccount".equals(s.get("kind")))
                            .map(s -> (bindingKind.equals("RoleBinding") ? meta(b, "namespace") + ":" : "")
                                    + s.get("namespace") + "/" + s.get("name")))
                    .toList();
        }
    }

    private static String meta(Map<String, Object> object, String field) {
        return (String) map(object, "metadata").get(field);
    }

    private static Map<String, Object> map(Map<String, Object> object, String field) {
        Object value = object.get(field);
        assertThat(value).as("field %s of %s", field, object.keySet()).isInstanceOf(Map.class);
        return asMap(value);
    }

    private static List<Object> list(Map<String, Object> object, String field) {
        Object value = object.get(field);
        assertThat(value).as("field %s of %s", field, object.keySet()).isInstanceOf(List.class);
        @SuppressWarnings("unchecked")
        List<Object> result = (List<Object>) value;
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return (Map<String, Object>) value;
    }
}
