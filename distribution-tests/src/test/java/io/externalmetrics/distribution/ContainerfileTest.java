package io.externalmetrics.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No image engine runs here, so the Containerfiles are not built; this checks what would break a
 * build or a start: the tarball the {@code ADD} names is the one Maven builds, every {@code COPY
 * --from} source exists in it, and every path the {@code ENTRYPOINT} and {@code CMD} use, the class
 * path and the main class, is there once copied. Also that it runs as 65532, as {@code deploy/} expects.
 */
class ContainerfileTest {

    private static final Pattern ARG = Pattern.compile("ARG (\\w+)(?:=(\\S+))?");
    private static final Pattern ADD = Pattern.compile("ADD (\\S+) /");
    private static final Pattern COPY = Pattern.compile("COPY --from=unpacked (\\S+) (\\S+)");
    private static final Pattern EXEC_FORM = Pattern.compile("(ENTRYPOINT|CMD) \\[(.*)]");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    @TempDir
    Path dir;

    @Test
    void adapterContainerfile_usesTheTarballsLayout() throws Exception {
        Image image = check("adapter.containerfile", "adapter.tarball");
        assertThat(image.run()).containsSubsequence("io.externalmetrics.adapter.Main", "--config",
                "/opt/externalmetrics-adapter/config/example.yaml");
        // the tarball's AOT cache holds only for the JDK that built it, not the image's: left out
        assertThat(image.copied()).isNotEmpty()
                .noneMatch(file -> file.getFileName().toString().endsWith(".aot"));
    }

    @Test
    void adapterJdk25Containerfile_trainsItsOwnAotCacheAndRunsTheStartScript() throws Exception {
        Path containerfile = Path.of(System.getProperty("adapter.jdk25.containerfile"));
        Unpacked unpacked = Unpacked.of("adapter.tarball", dir.resolve("unpacked"));
        Image image = parse(containerfile, unpacked);
        String text = Files.readString(containerfile);

        assertThat(text).contains("\nUSER 65532:65532\n");
        // the start script, run as the image runs it, with the arguments of the other image
        assertThat(image.run()).containsExactly("/opt/externalmetrics-adapter/bin/externalmetrics-adapter",
                "--config", "/opt/externalmetrics-adapter/config/example.yaml");
        for (String path : image.run()) {
            if (path.startsWith("/")) {
                assertThat(inTarball(image, path, unpacked)).isRegularFile();
            }
        }
        // the tarball's cache holds for the build's JDK, not the image's: left out, and trained where the
        // start script looks for it (lib/<name>.aot), with the JRE of the image itself
        assertThat(image.copied()).isNotEmpty().noneMatch(file -> file.getFileName().toString().endsWith(".aot"));
        assertThat(text).contains("-XX:AOTCacheOutput=/opt/externalmetrics-adapter/lib/externalmetrics-adapter.aot");
        assertThat(Files.readString(unpacked.home().resolve("bin/externalmetrics-adapter")))
                .contains("aot_cache=$APP_HOME/lib/$NAME.aot", "NAME=externalmetrics-adapter");
        List<String> bases = text.lines().filter(line -> line.startsWith("FROM ") && !line.contains("scratch"))
                .map(line -> line.split(" ")[1]).toList();
        assertThat(bases).hasSize(2).containsOnly(bases.getFirst());
    }

    @Test
    void exampleProviderContainerfile_usesTheTarballsLayout() throws Exception {
        Image image = check("provider.containerfile", "provider.tarball");
        assertThat(image.run()).contains("io.externalmetrics.examples.javaprovider.ExampleProvider");
    }

    /**
     * What a Containerfile makes: where image paths come from in the tarball, the tarball's files it
     * copies, and the command it runs.
     */
    private record Image(Map<String, String> copies, List<Path> copied, List<String> run) {
    }

    private Image check(String containerfileProperty, String tarballProperty) throws Exception {
        Path containerfile = Path.of(System.getProperty(containerfileProperty));
        Unpacked unpacked = Unpacked.of(tarballProperty, dir.resolve("unpacked"));
        Image image = parse(containerfile, unpacked);

        assertThat(Files.readString(containerfile)).contains("\nUSER 65532:65532\n");
        // the run: java with native access, the class path, a main class that exists in lib/
        List<String> run = image.run();
        assertThat(run.subList(0, 2)).containsExactly("/usr/bin/java", "--enable-native-access=ALL-UNNAMED");
        assertThat(run.get(2)).isEqualTo("-cp");
        String classPath = run.get(3);
        assertThat(classPath).endsWith("/lib/*");
        Path lib = inTarball(image, classPath.substring(0, classPath.length() - "/*".length()), unpacked);
        assertThat(lib).isDirectoryContaining("glob:**/*.jar");
        String mainClass = run.get(4);
        assertThat(jarsContaining(lib, mainClass.replace('.', '/') + ".class")).as("jars with " + mainClass)
                .hasSize(1);
        for (String argument : run.subList(5, run.size())) {
            if (argument.startsWith("/")) {
                assertThat(inTarball(image, argument, unpacked)).exists();
            }
        }
        return image;
    }

    /** Reads the ARG defaults, the ADD, the COPY lines, ENTRYPOINT and CMD; checks what ADD and COPY take. */
    private static Image parse(Path containerfile, Unpacked unpacked) throws IOException {
        Map<String, String> args = new HashMap<>();
        Map<String, String> copies = new LinkedHashMap<>();
        List<Path> copied = new ArrayList<>();
        List<String> run = new ArrayList<>();
        boolean added = false;
        Path unpackedRoot = unpacked.home().getParent();
        for (String line : Files.readAllLines(containerfile)) {
            Matcher arg = ARG.matcher(line);
            if (arg.matches() && arg.group(2) != null) {
                args.put(arg.group(1), arg.group(2));
                // the version Maven builds: a release that changes it changes this file too
                assertThat(arg.group(1)).isEqualTo("VERSION");
                assertThat(arg.group(2)).isEqualTo(System.getProperty("project.version"));
            }
            Matcher add = ADD.matcher(line);
            if (add.matches()) {
                // the build context is the module's target/, where Maven writes <top folder>.tar.gz
                String tarball = substitute(add.group(1), args);
                assertThat(tarball).isEqualTo(unpacked.home().getFileName() + ".tar.gz");
                assertThat(containerfile.resolveSibling("target").resolve(tarball)).isRegularFile();
                added = true;
            }
            Matcher copy = COPY.matcher(line);
            if (copy.matches()) {
                String source = substitute(copy.group(1), args);
                Path sourcePath = unpackedRoot.resolve(source.substring(1));
                if (source.contains("*")) {
                    // a pattern in the last part (lib/*.jar): what matches in its folder goes to the destination
                    var pattern = sourcePath.getFileSystem().getPathMatcher("glob:" + sourcePath);
                    try (var files = Files.list(sourcePath.getParent())) {
                        List<Path> matched = files.filter(pattern::matches).toList();
                        assertThat(matched).as("files matching COPY source " + source).isNotEmpty();
                        copied.addAll(matched);
                    }
                    source = source.substring(0, source.lastIndexOf('/') + 1);
                } else {
                    assertThat(sourcePath).as("COPY source " + source).exists();
                    try (var files = Files.walk(sourcePath)) {
                        copied.addAll(files.filter(Files::isRegularFile).toList());
                    }
                }
                copies.put(copy.group(2), source);
            }
            Matcher exec = EXEC_FORM.matcher(line);
            if (exec.matches()) {
                Matcher quoted = QUOTED.matcher(exec.group(2));
                while (quoted.find()) {
                    run.add(quoted.group(1));
                }
            }
        }
        assertThat(added).as("an ADD of the tarball in " + containerfile).isTrue();
        assertThat(copies).as("COPY --from=unpacked lines in " + containerfile).isNotEmpty();
        return new Image(copies, copied, run);
    }

    /** Where an image path comes from in the unpacked tarball, through the COPY that puts it there. */
    private static Path inTarball(Image image, String imagePath, Unpacked unpacked) {
        Path root = unpacked.home().getParent();
        for (Map.Entry<String, String> copy : image.copies().entrySet()) {
            String target = copy.getKey().endsWith("/") ? copy.getKey() : copy.getKey() + "/";
            if ((imagePath + "/").startsWith(target)) {
                String rest = (imagePath + "/").substring(target.length());
                return root.resolve(copy.getValue().substring(1)).resolve(rest.isEmpty() ? "." : rest).normalize();
            }
        }
        throw new AssertionError(imagePath + " is in no COPY destination: " + image.copies().keySet());
    }

    private static String substitute(String text, Map<String, String> args) {
        String result = text;
        for (Map.Entry<String, String> arg : args.entrySet()) {
            result = result.replace("${" + arg.getKey() + "}", arg.getValue());
        }
        assertThat(result).as("ARGs left in " + text).doesNotContain("${");
        return result;
    }

    private static List<Path> jarsContaining(Path lib, String entry) throws IOException {
        List<Path> found = new ArrayList<>();
        try (var jars = Files.list(lib)) {
            for (Path jar : jars.filter(path -> path.toString().endsWith(".jar")).toList()) {
                try (var file = new JarFile(jar.toFile())) {
                    if (file.getEntry(entry) != null) {
                        found.add(jar);
                    }
                }
            }
        }
        return found;
    }
}
