package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.config.AdapterConfig;
import io.externalmetrics.adapter.testing.LogRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {

    private static String config(String name) {
        return "providers: [{name: " + name + ", target: '127.0.0.1:50051'}]\n";
    }

    @Test
    void check_fileThatStaysUnreadable_isWarnedAboutOncePer30s_notOnEveryCheck(@TempDir Path dir) {
        Path file = dir.resolve("adapter.yaml"); // never written: every read fails
        var ticker = new AtomicLong();
        try (LogRecords log = LogRecords.of(ConfigWatcher.class.getName())) {
            var watcher = new ConfigWatcher(file, config -> { }, ticker::get);
            for (int i = 0; i < 30; i++) { // a minute of checks every two seconds, after the read at start
                assertThat(watcher.check()).isFalse();
                ticker.addAndGet(Duration.ofSeconds(2).toNanos());
            }

            assertThat(log.atLeast(Level.WARNING)).containsExactly(
                    "cannot read configuration " + file + " (java.nio.file.NoSuchFileException: " + file
                            + "); keeping the current one",
                    "cannot read configuration " + file + " (java.nio.file.NoSuchFileException: " + file
                            + "); keeping the current one (again 15 times since it was last logged)");
        }
    }

    @Test
    void check_whenApplyingThrows_keepsWatching_andAppliesTheNextChange(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("adapter.yaml"), config("first"));
        List<AdapterConfig> applied = new CopyOnWriteArrayList<>();
        AtomicBoolean fail = new AtomicBoolean(true);
        var watcher = new ConfigWatcher(file, config -> {
            if (fail.getAndSet(false)) {
                throw new IllegalStateException("cannot apply");
            }
            applied.add(config);
        });

        Files.writeString(file, config("second"));
        assertThat(watcher.check()).isFalse();
        assertThat(applied).isEmpty();

        Files.writeString(file, config("third"));
        assertThat(watcher.check()).isTrue();
        assertThat(applied).singleElement()
                .satisfies(config -> assertThat(config.providers().getFirst().name()).isEqualTo("third"));
    }
}
