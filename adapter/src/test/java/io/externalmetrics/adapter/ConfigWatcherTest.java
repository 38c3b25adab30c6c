package io.externalmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.externalmetrics.adapter.config.AdapterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {

    private static String config(String name) {
        return "providers: [{name: " + name + ", target: '127.0.0.1:50051'}]\n";
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
