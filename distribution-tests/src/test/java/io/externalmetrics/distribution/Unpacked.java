package io.externalmetrics.distribution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A distribution tarball unpacked with {@code tar}, as a user would (which also keeps its file modes). */
record Unpacked(Path tarball, Path home) {

    /**
     * Unpacks the tarball named by the system property {@code property} (set by the pom) into {@code dir}.
     *
     * @return the tarball's one top folder, e.g. {@code externalmetrics-adapter-0.1.0}
     */
    static Unpacked of(String property, Path dir) throws IOException, InterruptedException {
        String file = System.getProperty(property);
        if (file == null || file.isBlank() || !Files.isRegularFile(Path.of(file))) {
            throw new AssertionError("system property " + property + " names no tarball (\"" + file
                    + "\"): run these tests with `mvn verify`, which packages the tarballs first");
        }
        Path tarball = Path.of(file);
        Files.createDirectories(dir);
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", dir.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(tar.getInputStream().readAllBytes());
        if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new AssertionError("tar -xzf " + tarball + " failed: " + output);
        }
        try (var entries = Files.list(dir)) {
            List<Path> top = entries.toList();
            if (top.size() != 1 || !Files.isDirectory(top.getFirst())) {
                throw new AssertionError(tarball + " should hold one top folder, holds " + top);
            }
            return new Unpacked(tarball, top.getFirst());
        }
    }
}
