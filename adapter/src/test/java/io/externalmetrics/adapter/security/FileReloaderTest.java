package io.externalmetrics.adapter.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.testing.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one mechanism behind serving-certificate and provider-TLS reloads. */
class FileReloaderTest {

    @TempDir
    Path dir;

    private final List<String> heard = new ArrayList<>();

    /** Applies when the file holds "good ..." and refuses anything else, recording both. */
    private boolean check(FileReloader reloader, Path file) {
        return reloader.check(() -> {
            try {
                String content = Files.readString(file);
                if (!content.startsWith("good")) {
                    throw new IllegalArgumentException("not good: " + content);
                }
                heard.add("applied " + content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, problem -> heard.add("rejected " + problem.getMessage()));
    }

    @Test
    void check_appliesEachChangeOnce_reportsEachBadStateOnce_andANewBreakageAfterARecovery() throws Exception {
        Path file = TestPki.replace(dir.resolve("f"), "good 1");
        var reloader = new FileReloader(List.of(file));

        assertThat(check(reloader, file)).as("unchanged since construction").isFalse();
        TestPki.replace(file, "bad 1");
        assertThat(check(reloader, file)).isFalse();
        assertThat(check(reloader, file)).isFalse();
        TestPki.replace(file, "good 1"); // back to what is applied
        assertThat(check(reloader, file)).isFalse();
        TestPki.replace(file, "bad 1"); // the same breakage again: news again
        assertThat(check(reloader, file)).isFalse();
        TestPki.replace(file, "good 2");
        assertThat(check(reloader, file)).isTrue();
        assertThat(check(reloader, file)).isFalse();

        assertThat(heard).containsExactly("rejected not good: bad 1", "rejected not good: bad 1", "applied good 2");
    }

    @Test
    void check_aFileThatCannotBeRead_isAChangeThatDoesNotLoad() throws Exception {
        Path file = TestPki.replace(dir.resolve("f"), "good 1");
        var reloader = new FileReloader(List.of(file));
        Files.delete(file);

        assertThat(check(reloader, file)).isFalse();

        assertThat(heard).singleElement().asString().startsWith("rejected ");
    }
}
