package io.externalmetrics.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.provider.MetricKey;
import io.externalmetrics.provider.Series;
import io.externalmetrics.provider.Value;
import io.externalmetrics.provider.testing.ProviderTester;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/java-provider-standalone built as an author's project is: copied out of the repository, its
 * own {@code pom.xml} resolving the SDK and its testing module from the local Maven repository (where
 * {@code mvn install} put them; offline, so nothing else could have supplied them), its tests run by its
 * own build, then the provider started and fetched from over gRPC.
 */
class StandaloneProviderTest {

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void standaloneProject_buildsAndTestsAgainstTheInstalledSdk_thenServesItsMetric(@TempDir Path dir)
            throws IOException, InterruptedException {
        Path project = dir.resolve("queue-provider");
        copySources(Path.of(System.getProperty("standalone.dir")), project);

        try (Launched build = Launched.start(dir.resolve("build"), Map.of(), List.of("mvn", "-B", "-ntp", "-o",
                "-f", project.resolve("pom.xml").toString(), "verify",
                // the repository this build installed into, also when it is not ~/.m2
                "-Dmaven.repo.local=" + System.getProperty("local.repository"),
                "-Dexternalmetrics.version=" + System.getProperty("project.version")))) {
            int exit = build.awaitExit(BUILD_TIMEOUT);
            assertThat(exit)
                    .as("mvn verify of the standalone project\nstdout:\n%s\nstderr:\n%s", build.out(), build.err())
                    .isZero();
        }
        Path reports = project.resolve("target/surefire-reports");
        assertThat(Files.readString(reports.resolve("TEST-com.example.queue.QueueProviderTest.xml")))
                .as("its own tests, on ProviderTester, ran and passed")
                .contains("tests=\"2\"", "failures=\"0\"", "errors=\"0\"", "skipped=\"0\"");

        String classpath = project.resolve("target/queue-provider-1.0.0.jar") + File.pathSeparator
                + project.resolve("target/lib") + File.separator + "*";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (Launched provider = Launched.start(dir.resolve("run"), Map.of(),
                List.of(java, "-cp", classpath, "com.example.queue.QueueProvider", "--port", "0"))) {
            Matcher listening = provider.awaitOut(Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)"),
                    START_TIMEOUT);
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", Integer.parseInt(listening.group(1)),
                    InsecureChannelCredentials.create()).build();
            try (var tester = ProviderTester.connect(channel)) {
                Value value = tester.fetch(MetricKey.forAllNamespaces("queue-depth"));

                assertThat(value.value()).hasValue(1);
                assertThat(value.series()).containsExactly(
                        new Series(Map.of("priority", "high"), 1),
                        new Series(Map.of("priority", "low"), 0));
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void install_putsSourcesAndJavadocJarsBesideEachLibrary() {
        Path repository = Path.of(System.getProperty("local.repository"), "io", "externalmetrics");
        String version = System.getProperty("project.version");
        for (String artifact : List.of("externalmetrics-proto", "externalmetrics-provider-sdk",
                "externalmetrics-provider-sdk-testing")) {
            for (String classifier : List.of("", "-sources", "-javadoc")) {
                assertThat(repository.resolve(artifact).resolve(version)
                        .resolve(artifact + "-" + version + classifier + ".jar"))
                        .as("mvn install of %s%s", artifact, classifier)
                        .isRegularFile();
            }
        }
    }

    /**
     * The standalone project names its plugin and test library versions itself, as an author's would; they
     * are the ones the repository's own build uses, so the offline build finds them where that build put them.
     */
    @Test
    void standalonePom_pinsTheVersionsTheRootPomManages() throws IOException {
        Map<String, String> managed = versions(Files.readString(Path.of(System.getProperty("root.pom"))));
        Map<String, String> pinned = versions(Files.readString(
                Path.of(System.getProperty("standalone.dir")).resolve("pom.xml")));

        assertThat(pinned).isNotEmpty();
        pinned.forEach((artifact, version) -> assertThat(managed.get(artifact))
                .as("the version of %s in java-provider-standalone/pom.xml, against the root pom", artifact)
                .isEqualTo(version));
    }

    /** Each groupId:artifactId with a literal (or property) version, but the projects' own. */
    private static Map<String, String> versions(String pom) {
        Map<String, String> properties = new java.util.HashMap<>();
        Matcher property = Pattern.compile("<([\\w.-]+\\.version)>([^<$]+)</\\1>").matcher(pom);
        while (property.find()) {
            properties.put(property.group(1), property.group(2));
        }
        Map<String, String> versions = new java.util.TreeMap<>();
        Matcher artifact = Pattern.compile("<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>"
                + "\\s*<version>([^<]+)</version>").matcher(pom);
        while (artifact.find()) {
            String version = artifact.group(3);
            if (version.startsWith("${")) {
                version = properties.get(version.substring(2, version.length() - 1));
            }
            boolean ours = artifact.group(1).equals("io.externalmetrics") || artifact.group(1).equals("com.example");
            if (version != null && !ours) {
                versions.put(artifact.group(1) + ":" + artifact.group(2), version);
            }
        }
        return versions;
    }

    /** The project as an author has it: pom.xml and src/, without a target/ a local build may have left. */
    private static void copySources(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        Files.copy(from.resolve("pom.xml"), to.resolve("pom.xml"));
        try (Stream<Path> files = Files.walk(from.resolve("src"))) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
