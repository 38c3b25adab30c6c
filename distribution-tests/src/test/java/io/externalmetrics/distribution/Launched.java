package io.externalmetrics.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A program started from an unpacked tarball's {@code bin/}, its standard output and error written to
 * files under {@code dir} so that the test can read them while it runs. Closing kills it if it still runs.
 */
final class Launched implements AutoCloseable {

    final Process process;
    private final Path out;
    private final Path err;

    private Launched(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /**
     * Starts {@code command} in {@code dir} with the JVM of these tests as {@code JAVA_HOME} (21 or newer,
     * as the build needs) plus {@code env}; a value of {@code null} in {@code env} removes that variable.
     */
    static Launched start(Path dir, Map<String, String> env, List<String> command) throws IOException {
        Files.createDirectories(dir);
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        var builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Map<String, String> environment = builder.environment();
        // what the machine's shell may have set would change what the launcher does
        environment.keySet().removeAll(List.of("JAVA_OPTS", "JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS"));
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        env.forEach((name, value) -> {
            if (value == null) {
                environment.remove(name);
            } else {
                environment.put(name, value);
            }
        });
        return new Launched(builder.start(), out, err);
    }

    String out() {
        return read(out);
    }

    String err() {
        return read(err);
    }

    /** Waits until standard output has a match of {@code pattern}; fails, showing both streams, if it exits first. */
    Matcher awaitOut(Pattern pattern, Duration timeout) {
        Matcher[] found = new Matcher[1];
        Await.until("standard output to match " + pattern, timeout, () -> {
            Matcher matcher = pattern.matcher(out());
            if (matcher.find()) {
                found[0] = matcher;
                return true;
            }
            if (!process.isAlive()) {
                throw new AssertionError("exited with " + process.exitValue() + " before printing " + pattern
                        + "\nstdout:\n" + out() + "\nstderr:\n" + err());
            }
            return false;
        });
        return found[0];
    }

    /** Waits for the exit; fails, showing both streams, when it does not come within {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + "\nstdout:\n" + out() + "\nstderr:\n" + err());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        // a launcher that failed to exec would leave its java behind
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
