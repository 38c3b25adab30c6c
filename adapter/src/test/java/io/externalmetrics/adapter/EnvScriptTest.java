package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/env.sh}, which {@code ./demo} and {@code ./run-tests} source, as bash runs it: the
 * MAVEN_OPTS it leaves for a JDK 21 (which refuses to start with {@code --sun-misc-unsafe-memory-access})
 * and for a JDK 25 (which warns without it). The JDKs are fake: a {@code bin/java} that prints its
 * version the way {@code java -XshowSettings:properties} does; {@code mvn} is a stub so nothing is installed.
 */
class EnvScriptTest {

    private static final String UNSAFE = "--sun-misc-unsafe-memory-access=allow";

    @TempDir
    Path dir;

    @Test
    void envSh_jdk21_setsNoUnsafeOption() throws Exception {
        assertThat(mavenOptsAfterEnvSh(fakeJdk("21"), Optional.empty())).isEmpty();
    }

    @Test
    void envSh_jdk21_keepsTheUsersOptionsAndDropsTheUnsafeOption() throws Exception {
        assertThat(mavenOptsAfterEnvSh(fakeJdk("21"), Optional.of("-Xmx1g " + UNSAFE + " -Dx=y")))
                .contains("-Xmx1g -Dx=y");
    }

    @Test
    void envSh_theUnsafeOption_fromJdk23On_whereItExists() throws Exception {
        assertThat(mavenOptsAfterEnvSh(fakeJdk("22"), Optional.empty())).isEmpty();
        assertThat(mavenOptsAfterEnvSh(fakeJdk("23"), Optional.empty())).contains(UNSAFE);
    }

    @Test
    void envSh_jdk25_setsTheUnsafeOption() throws Exception {
        assertThat(mavenOptsAfterEnvSh(fakeJdk("25"), Optional.empty())).contains(UNSAFE);
    }

    @Test
    void envSh_jdk25_appendsTheUnsafeOptionToTheUsersOptions() throws Exception {
        assertThat(mavenOptsAfterEnvSh(fakeJdk("25"), Optional.of("-Xmx1g"))).contains("-Xmx1g " + UNSAFE);
    }

    @Test
    void envSh_jdk25_keepsTheUsersOwnUnsafeSetting() throws Exception {
        assertThat(mavenOptsAfterEnvSh(fakeJdk("25"), Optional.of("--sun-misc-unsafe-memory-access=warn")))
                .contains("--sun-misc-unsafe-memory-access=warn");
    }

    /** MAVEN_OPTS after {@code source scripts/env.sh} with JAVA_HOME at {@code jdk}; empty when unset. */
    private Optional<String> mavenOptsAfterEnvSh(Path jdk, Optional<String> mavenOpts) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        executable(bin.resolve("mvn"), "#!/bin/sh\nexit 0\n"); // env.sh installs Maven when mvn is missing
        Path stdout = dir.resolve("stdout");
        Path stderr = dir.resolve("stderr");
        var builder = new ProcessBuilder("bash", "-c",
                "set -euo pipefail; source scripts/env.sh; printf '%s\\n%s' \"$JAVA_HOME\" \"${MAVEN_OPTS-(unset)}\"")
                .directory(repositoryRoot().toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", bin + ":/usr/bin:/bin");
        env.put("HOME", dir.toString());
        env.put("JAVA_HOME", jdk.toString());
        mavenOpts.ifPresent(opts -> env.put("MAVEN_OPTS", opts));
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bash did not finish sourcing scripts/env.sh within 30 s");
        }
        assertThat(process.exitValue()).as("exit code of sourcing env.sh; stderr:%n%s",
                Files.readString(stderr, StandardCharsets.UTF_8)).isZero();
        String[] out = Files.readString(stdout, StandardCharsets.UTF_8).split("\n", 2);
        assertThat(out[0]).as("the JDK env.sh chose").isEqualTo(jdk.toString());
        return out[1].equals("(unset)") ? Optional.empty() : Optional.of(out[1]);
    }

    /** A JDK folder whose {@code bin/java} reports {@code version} as its specification version. */
    private Path fakeJdk(String version) throws IOException {
        Path jdk = dir.resolve("jdk-" + version);
        executable(Files.createDirectories(jdk.resolve("bin")).resolve("java"), """
                #!/bin/sh
                echo "Property settings:" >&2
                echo "    java.specification.version = %s" >&2
                echo "    java.vendor = fake" >&2
                """.formatted(version));
        return jdk;
    }

    private static void executable(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The checkout's root: the nearest directory, from the working directory up, holding scripts/env.sh. */
    private static Path repositoryRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path d = cwd; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/env.sh"))) {
                return d;
            }
        }
        throw new AssertionError("cannot find scripts/env.sh in " + cwd + " or any folder above it");
    }
}
