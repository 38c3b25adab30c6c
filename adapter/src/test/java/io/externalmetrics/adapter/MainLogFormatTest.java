package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.externalmetrics.adapter.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter's log as an operator's collector reads it: the real process (its logging is set up once per
 * JVM, by {@code logging.properties}), started with {@code logFormat: json}.
 */
@Timeout(60)
class MainLogFormatTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Starts the adapter with {@code logFormat}, its standard output (where logging.properties logs) to a file. */
    private Path start(String logFormat) throws IOException {
        Path config = Files.writeString(dir.resolve("adapter.yaml"), """
                logFormat: %s
                server: {address: 127.0.0.1, port: 0}
                providers: [{name: example, target: '127.0.0.1:1'}]
                """.formatted(logFormat));
        Path out = dir.resolve("out.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        processes.add(new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--config", config.toString())
                .redirectOutput(out.toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start());
        return out;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void logFormatJson_writesEveryLineAsAJsonObject_fromStartToStop() throws Exception {
        Path out = start("json");
        Await.until("the warning that no authentication is configured, and the adapter serving", WAIT,
                () -> lines(out).stream().anyMatch(line -> line.contains("no authentication configured"))
                        && lines(out).stream().anyMatch(line -> line.contains("adapter serving")));

        Process adapter = processes.getFirst();
        adapter.destroy(); // SIGTERM
        assertThat(adapter.waitFor(30, TimeUnit.SECONDS)).as("stopped").isTrue();

        List<JsonNode> records = new ArrayList<>();
        for (String line : lines(out)) {
            records.add(MAPPER.readTree(line)); // throws on a line that is not JSON
        }
        assertThat(records).allSatisfy(record -> assertThat(record.isObject()).isTrue())
                .allSatisfy(record -> assertThat(record.has("time") && record.has("level") && record.has("logger")
                        && record.has("message") && record.has("thread")).as(record.toString()).isTrue());
        JsonNode warning = records.stream()
                .filter(r -> r.get("message").asText().startsWith("no authentication configured"))
                .findFirst().orElseThrow();
        assertThat(warning.get("level").asText()).isEqualTo("WARNING");
        assertThat(warning.get("logger").asText()).isEqualTo(AccessSetup.class.getName());
        assertThat(warning.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(records).anySatisfy(r -> assertThat(r.get("message").asText())
                .startsWith("externalmetrics adapter serving https://127.0.0.1:")
                .contains("example (127.0.0.1:1)"));
        JsonNode stopped = records.getLast();
        assertThat(stopped.get("message").asText()).startsWith("externalmetrics adapter stopped in ");
        assertThat(stopped.get("logger").asText()).isEqualTo(Main.class.getName());
        assertThat(stopped.get("thread").asText()).isEqualTo("externalmetrics-shutdown");
    }

    @Test
    void logFormatText_writesTheTextLines() throws Exception {
        Path out = start("text");

        Await.until("the warning that no authentication is configured", WAIT,
                () -> lines(out).stream().anyMatch(line -> line.contains("no authentication configured")));

        assertThat(lines(out)).filteredOn(line -> line.contains("no authentication configured"))
                .singleElement().asString()
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARNING "
                        + "io\\.externalmetrics\\.adapter\\.AccessSetup.*: no authentication configured.*");
    }
}
